"""Adapting a trained MUNIT to one user's clip: train on with the clip's frames in the human domain.

The translator stage's full checkpoint (``translator.pt``, with its discriminators and
optimisers) is resumed for ``--updates`` more updates on its own human frames plus the clip's
frames, repeated to make ``--share`` of the human set (no paired data: the robot frames are the
stage's own). Each new snapshot is then scored like ``held_pose.py``: translated keypoints
against each paired robot clip's, over the clip and its held final pose.

    python docs/studies/adapt_to_clip.py --config configs/drawer_close.yaml \
        --stage runs/drawer_close/stages/translator_munit-7fe3c0001d \
        --adapt-to clips/dark/drawer_close_human.mp4 --out adapted_dark \
        --clip default=videos/drawer_close_ --clip dark=clips/dark/drawer_close_
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path

import numpy as np
from held_pose import CLIP_HELP, errors, paired_clips  # this folder's study script

from lbw.config import load_config
from lbw.dataset import load_frames
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import stage_record, translator_trainer
from lbw.translation import Translator
from lbw.video import read_video


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True)
    p.add_argument("--stage", required=True, help="a trained translator stage folder")
    p.add_argument("--adapt-to", required=True, help="the human clip to adapt to")
    p.add_argument("--updates", type=int, default=1000)
    p.add_argument("--share", type=float, default=0.2, help="the clip's share of the human frames")
    p.add_argument("--out", required=True, help="a new folder for the adapted training")
    p.add_argument("--clip", action="append", required=True, help=CLIP_HELP)
    args = p.parse_args()
    stage, out = Path(args.stage), Path(args.out)
    record = stage_record(stage)
    config = load_config(args.config)
    human = load_frames(stage.parent / record["human_data"])
    robot = load_frames(stage.parent / record["robot_data"])
    clip = read_video(args.adapt_to, size=human.frames.shape[1])
    copies = int(np.ceil(args.share * len(human.frames) / (1 - args.share) / len(clip)))
    frames = np.concatenate([human.frames, np.tile(clip, (copies, 1, 1, 1))])
    human = dataclasses.replace(human, frames=frames)
    out.mkdir(parents=True)  # refuses an existing folder
    shutil.copy(stage / "translator.pt", out / "translator.pt")
    detector_path = record["keypoint_prior_detector"]
    section = dataclasses.replace(config.translator, iterations=record["config"]["iterations"] + args.updates)
    trainer = translator_trainer("munit", section, config.task, keypoints=detector_path)
    trainer.train(human, robot, out, resume=True, progress=True)
    detector = KeypointDetector.load(detector_path)
    pairs = paired_clips(args.clip, detector.image_size)
    for snapshot in [stage / "translator.pt", *sorted((out / "snapshots").glob("*.pt"))]:
        translator = Translator.load(snapshot)
        for name, (h, r) in pairs.items():
            print(f"{snapshot} {name:>8}: {errors(detector(translator(h)), detector(r))}")


if __name__ == "__main__":
    main()
