"""Do a keypoint detector's keypoints still locate the objects on wide-start scenes? For each
detector, robot frames of random motions are collected on the default and on the wide starts
(held-out seeds), and a linear probe from keypoints to each moving point's pixel position is fit
on 80 % of the episodes and tested on the rest (``lbw.evaluation.perception.keypoint_probe``).

A detector trained on default-start frames (the shipped ones) against one trained on wide-start
frames (``data.starts: wide``):

    lbw train-keypoints configs/push.yaml keypoints.checkpoint=null data.starts=wide
    python docs/studies/wide_keypoints.py --task push \\
        --detector shipped=models/push/transporter.pt \\
        --detector wide=runs/push/stages/keypoints-HASH/transporter.pt

Cells: probe error, px in the 64×64 frame, on the test episodes.
"""

from __future__ import annotations

import argparse

from lbw.dataset import collect_frames
from lbw.evaluation.perception import keypoint_probe
from lbw.keypoints.trainer import KeypointDetector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="push")
    parser.add_argument("--detector", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--frames", type=int, default=1200, help="frames per start spread (default: 1200)")
    parser.add_argument("--seed", type=int, default=1000, help="collection seed (default: 1000)")
    args = parser.parse_args()

    detectors = {name: KeypointDetector.load(path) for name, path in (d.split("=", 1) for d in args.detector)}
    frames = {
        starts: collect_frames(args.task, "robot", args.frames, seed=args.seed, progress=False, starts=starts)
        for starts in ("default", "wide")
    }
    rows = []
    for name, detector in detectors.items():
        for starts, data in frames.items():
            points = keypoint_probe(detector, data)[1]["points"]
            rows.append((name, starts, {p: v["error_px"] for p, v in points.items()}))
    names = list(rows[0][2])
    print("| detector | starts | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for name, starts, errors in rows:
        print(f"| {name} | {starts} | " + " | ".join(f"{errors[p]:.2f}" for p in names) + " |")


if __name__ == "__main__":
    main()
