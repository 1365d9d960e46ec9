"""Does a clip's unpaired gap pick the translator snapshot that places its keypoints best?

For every snapshot of a config's translator trainings, a human clip is translated and judged
two ways: its unpaired keypoint gap against robot frames (what ``translator.select_on: clip``
and ``lbw check-demo`` measure, no paired clip needed) and its keypoints against its paired
robot clip's, px: over the clip, and the worst keypoint of the held final pose (last 10
frames). Prints one row per snapshot, the rank correlations, and the same two errors for the
consensus of the second-half snapshots (``translator.consensus``: per frame the one whose
keypoints lie nearest the median of all's).

    lbw demo --task reach --appearance white_shirt_blue_table --out clips/white
    python docs/studies/clip_gap_per_snapshot.py configs/reach.yaml \
        clips/white/reach_human.mp4 clips/white/reach_robot.mp4 \
        data.human_appearance=varied_tables translator.checkpoint=null translator.restarts=2
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from lbw.config import load_config
from lbw.evaluation.demo_check import clip_gap
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import robot_pose_keypoints, stage_folder
from lbw.translation import Translator
from lbw.translation.base import SNAPSHOTS
from lbw.translation.consensus import consensus_choice, second_half
from lbw.video import read_video, resize


def ranks(values: list[float]) -> np.ndarray:
    return np.argsort(np.argsort(values))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config")
    parser.add_argument("human", help="the human clip")
    parser.add_argument("robot", help="its paired robot clip")
    parser.add_argument("overrides", nargs="*", help="config overrides (key=value)")
    args = parser.parse_args()
    config = load_config(args.config, args.overrides)
    detector = KeypointDetector.load(config.keypoints.checkpoint)
    robot = robot_pose_keypoints(config, detector)
    human = resize(read_video(args.human), detector.image_size)
    paired = detector(read_video(args.robot, size=detector.image_size))
    rows, late = [], []  # late: the keypoints of the second-half snapshots, (T, K, 2) each
    c = config.translator
    for seed in range(c.seed, c.seed + c.restarts):
        one = replace(config, translator=replace(c, seed=seed))
        folder = stage_folder(one, "translator_munit", Path(config.keypoints.checkpoint))
        for snapshot in sorted((folder / SNAPSHOTS).glob("*.pt")):
            keypoints = detector(Translator.load(snapshot)(human))
            if second_half([snapshot], c.iterations):
                late.append(keypoints)
            n = min(len(keypoints), len(paired))
            error = np.linalg.norm(keypoints[:n] - paired[:n], axis=-1)
            rows.append(
                (
                    f"seed {seed} {snapshot.stem}",
                    clip_gap(keypoints, robot),
                    error.mean(),
                    error[-10:].mean(0).max(),
                )
            )
            print("{:24s} clip gap {:6.2f}  paired {:6.2f}  worst held {:6.2f}".format(*rows[-1]), flush=True)
    gap, error, held = (ranks([row[i] for row in rows]) for i in (1, 2, 3))
    print(
        f"rank correlation of the clip gap with the paired error {np.corrcoef(gap, error)[0, 1]:.2f}, "
        f"with the worst held keypoint {np.corrcoef(gap, held)[0, 1]:.2f}"
    )
    by_gap, by_error = (min(rows, key=lambda row: row[i])[0] for i in (1, 2))
    print(f"smallest clip gap: {by_gap}; smallest paired error: {by_error}")
    members = np.stack(late)  # (M, T, K, 2)
    consensus = members[consensus_choice(members), np.arange(members.shape[1])]
    n = min(len(consensus), len(paired))
    error = np.linalg.norm(consensus[:n] - paired[:n], axis=-1)
    print(
        f"consensus of {len(late)} second-half snapshots: clip gap {clip_gap(consensus, robot):6.2f}  "
        f"paired {error.mean():6.2f}  worst held {error[-10:].mean(0).max():6.2f}"
    )
    # Does the members' disagreement say which keypoints the consensus places worst?
    spread = np.median(np.linalg.norm(members - np.median(members, 0), axis=-1), 0)[:n]
    print("held pose per keypoint, px: members' spread", [round(float(v), 1) for v in spread[-10:].mean(0)])
    print("held pose per keypoint, px: consensus error", [round(float(v), 1) for v in error[-10:].mean(0)])


if __name__ == "__main__":
    main()
