"""Which property of a held-out look loses the translation? Each one alone on the default look.

For a held-out preset, the default look is recorded with one group of the preset's properties
at a time (skin, clothes, table, wall and floor, light) and translated; per variant, the
translated frames' keypoints against the paired robot frames', px: over the clip and the worst
keypoint of the held final pose (its last 10 frames), mean over the demos (seeds 0…N−1).

    python docs/studies/look_properties.py --task reach --look white_shirt_blue_table
    python docs/studies/look_properties.py --task reach --look white_shirt_blue_table \
        --translator runs/reach/stages/translator_munit-HASH/snapshots/SNAPSHOT.pt
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from lbw.demo import record_demo
from lbw.envs.appearance import DEFAULT, HELD_OUT, Appearance
from lbw.keypoints.trainer import KeypointDetector
from lbw.translation import Translator

GROUPS = {
    "skin": ("skin",),
    "clothes": ("sleeve", "shirt"),
    "table": ("table", "table_stripe"),
    "wall_floor": ("wall", "floor"),
    "light": ("light_direction", "light_color", "ambient"),
}


def variants(name: str) -> dict[str, Appearance]:
    """The default look, the preset, and the default with each group of properties the preset changes."""
    look = HELD_OUT[name]
    looks = {"default": DEFAULT, name: look}
    for group, properties in GROUPS.items():
        if any(getattr(look, p) != getattr(DEFAULT, p) for p in properties):
            looks[f"{group} only"] = replace(DEFAULT, **{p: getattr(look, p) for p in properties})
    return looks


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True)
    p.add_argument("--look", required=True, choices=tuple(HELD_OUT))
    p.add_argument("--demos", type=int, default=3, help="paired demos per variant")
    p.add_argument("--keypoints", default=None, help="transporter.pt (default: the task's shipped one)")
    p.add_argument("--translator", default=None, help="a MUNIT (default: the task's shipped one)")
    args = p.parse_args()
    detector = KeypointDetector.load(args.keypoints or f"models/{args.task}/transporter.pt")
    translator = Translator.load(args.translator or f"models/{args.task}/translator_munit.pt")
    print(f"{args.task}: variant, clip / worst held keypoint, px")
    for name, look in variants(args.look).items():
        errors = []
        for seed in range(args.demos):
            demo = record_demo(args.task, seed, detector.image_size, appearance=look)
            distance = np.linalg.norm(
                detector(translator(demo.human_frames)) - detector(demo.robot_frames), axis=-1
            )
            errors.append((distance.mean(), distance[-10:].mean(0).max()))
        clip, held = np.mean(errors, axis=0)
        print(f"{name:>24}: {clip:.2f} / {held:.2f}", flush=True)


if __name__ == "__main__":
    main()
