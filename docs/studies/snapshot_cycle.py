"""Does a robot → human → robot round trip tell a MUNIT snapshot that keeps the pose from one
that does not, where the unpaired keypoint gap cannot?

The gap compares keypoint *distributions*: a snapshot that draws plausible robot poses
unrelated to the human's scores well on it. The round trip
(``lbw.keypoints.gap.round_trip_error``) needs no paired data either: robot frames are
translated to the human domain (random human styles) and back, and their keypoints compared
with the originals', frame by frame. For each snapshot of a translator stage: the gap its
selection recorded, the round-trip keypoint error, and the error against paired clips
(translated human clip against its paired robot clip), px in the 64×64 frame.

    python docs/studies/snapshot_cycle.py --task drawer_close \
        --stage runs/drawer_close/stages/translator_munit-a0ee093985 \
        --keypoints models/drawer_close/transporter.pt \
        --clip default=videos/drawer_close_ --clip dark=clips/dark/drawer_close_
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from held_pose import CLIP_HELP, paired_clips

from lbw.keypoints.gap import round_trip_error
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import cached_frames
from lbw.translation import Translator


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True)
    p.add_argument("--stage", required=True, help="a MUNIT stage folder (its snapshots/)")
    p.add_argument("--keypoints", required=True, help="transporter.pt")
    p.add_argument("--clip", action="append", default=[], help=CLIP_HELP)
    p.add_argument("--robot-frames", type=int, default=500)
    args = p.parse_args()
    stage = Path(args.stage)
    detector = KeypointDetector.load(args.keypoints)
    # eval-perception's held-out robot frames (seed 1000): no model trained on them.
    robot = cached_frames(args.task, "robot", args.robot_frames, 1000).frames
    clips = paired_clips(args.clip, detector.image_size)
    gaps: dict[str, float] = {}
    for record in stage.glob("selection-*.json"):
        gaps.update(json.loads(record.read_text())["gap_px"])
    truths = {name: detector(robot_clip) for name, (_, robot_clip) in clips.items()}
    snapshots = sorted((stage / "snapshots").glob("*.pt"))
    translators = {p.relative_to(stage).as_posix(): Translator.load(p) for p in snapshots}
    # One call: the robot frames' keypoints are computed once for every snapshot.
    trips = round_trip_error(detector, robot, translators)
    print("snapshot | gap px | round trip px | " + " | ".join(f"{n} px" for n in clips))
    for name, translator in translators.items():
        paired = [
            np.linalg.norm(detector(translator(human)) - truths[clip], axis=-1).mean()
            for clip, (human, _) in clips.items()
        ]
        gap = f"{gaps[name]:.1f}" if name in gaps else "–"
        print(f"{Path(name).stem} | {gap} | {trips[name]:.2f} | " + " | ".join(f"{e:.2f}" for e in paired))


if __name__ == "__main__":
    main()
