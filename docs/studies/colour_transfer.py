"""Does matching a clip's colours to the training human frames' help the translation of held-out looks?

Each clip's frames are moved, in Lab colour space, to the mean (``mean``) or the mean and
standard deviation (``mean_std``: Reinhard et al.'s colour transfer) of 1,200 varied-look human
frames no model trained on, before the task's shipped MUNIT translates them. Per look (the
paired demos of ``lbw eval-perception``, demo seeds 0…N−1): the translated frames' keypoints
against the paired robot frames', px, over the clip / the worst keypoint of the held final pose
(its last 10 frames), mean over demos.

    python docs/studies/colour_transfer.py --task drawer_close --demos 3
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import cv2
import numpy as np

from lbw.evaluation.perception import demos_by_look
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import cached_frames
from lbw.translation import Translator


def to_lab(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) uint8 RGB → float32 Lab (OpenCV's 8-bit scaling)."""
    return np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2LAB) for f in frames]).astype(np.float32)


def colour_transfer(mean: np.ndarray, std: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
    """Frames → frames whose Lab mean (and standard deviation, unless ``std`` is None) is the given one."""

    def apply(frames: np.ndarray) -> np.ndarray:
        lab = to_lab(frames)
        pixels = lab.reshape(-1, 3)
        scale = 1.0 if std is None else std / pixels.std(0)
        moved = np.clip((lab - pixels.mean(0)) * scale + mean, 0, 255).astype(np.uint8)
        return np.stack([cv2.cvtColor(f, cv2.COLOR_LAB2RGB) for f in moved])

    return apply


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True)
    p.add_argument("--demos", type=int, default=3, help="paired demos per look")
    args = p.parse_args()
    detector = KeypointDetector.load(f"models/{args.task}/transporter.pt")
    translator = Translator.load(f"models/{args.task}/translator_munit.pt")
    # eval-perception's held-out human frames (seed 1000, varied looks): no model trained on them
    pixels = to_lab(cached_frames(args.task, "human", 1200, 1000, progress=False).frames).reshape(-1, 3)
    variants = {
        "none": lambda frames: frames,
        "mean": colour_transfer(pixels.mean(0), None),
        "mean_std": colour_transfer(pixels.mean(0), pixels.std(0)),
    }
    print(f"{args.task}: look, then per variant clip / worst held keypoint, px")
    for look, demos in demos_by_look(args.task, demos=args.demos).items():
        cells = []
        for name, variant in variants.items():
            errors = []
            for demo in demos:
                distance = np.linalg.norm(
                    detector(translator(variant(demo.human_frames))) - detector(demo.robot_frames), axis=-1
                )
                errors.append((distance.mean(), distance[-10:].mean(0).max()))
            clip, held = np.mean(errors, axis=0)
            cells.append(f"{name} {clip:.2f} / {held:.2f}")
        print(f"{look:>24}: " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
