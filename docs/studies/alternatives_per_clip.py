"""Does a clip's unpaired gap choose, among a config's ``translator.alternatives``, the translator
that places that clip's keypoints best?

For each clip (a human clip and its paired robot clip, as ``lbw demo`` writes them) and each
translator (the config's ``translator.checkpoint`` and its ``alternatives``): the clip's
unpaired keypoint gap against the robot frames translator choice uses (what ``lbw run``
chooses on, no paired clip needed), and its translated keypoints against the paired robot
clip's, px: over the clip, and the worst keypoint of the held final pose (last 10 frames).
The translator with the smallest gap is marked ``*``; the one nearest the paired clip ``+``.

    lbw demo --task reach --appearance white_shirt_blue_table --out clips/white
    python docs/studies/alternatives_per_clip.py configs/reach.yaml \
        --clip default=videos/reach_ --clip white=clips/white/reach_
"""

from __future__ import annotations

import argparse

import numpy as np
from held_pose import CLIP_HELP, paired_clips

from lbw.config import load_config
from lbw.evaluation.demo_check import clip_gap
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import robot_pose_keypoints
from lbw.translation import Translator


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config")
    parser.add_argument("--clip", action="append", required=True, help=CLIP_HELP)
    parser.add_argument("overrides", nargs="*", help="config overrides (key=value)")
    args = parser.parse_intermixed_args()
    config = load_config(args.config, args.overrides)
    detector = KeypointDetector.load(config.keypoints.checkpoint)
    robot = robot_pose_keypoints(config, detector)
    paths = [config.translator.checkpoint, *config.translator.alternatives]
    translators = {str(p): Translator.load(p) for p in paths}
    for clip, (human, paired_frames) in paired_clips(args.clip, detector.image_size).items():
        paired = detector(paired_frames)
        rows = {}
        for name, translator in translators.items():
            keypoints = detector(translator(human))
            n = min(len(keypoints), len(paired))
            error = np.linalg.norm(keypoints[:n] - paired[:n], axis=-1)  # (T, K) px
            rows[name] = (clip_gap(keypoints, robot), error.mean(), error[-10:].mean(0).max())
        by_gap = min(rows, key=lambda name: rows[name][0])
        by_error = min(rows, key=lambda name: rows[name][1])
        for name, (gap, error, held) in rows.items():
            mark = ("*" if name == by_gap else " ") + ("+" if name == by_error else " ")
            print(
                f"{clip:>8} {name:<44}{mark} gap {gap:6.2f}  paired {error:5.2f}  worst held {held:5.2f} px"
            )


if __name__ == "__main__":
    main()
