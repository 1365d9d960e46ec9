"""Does a clip's translation under test-time colour jitter say which keypoints it places wrong,
or place them better on average?

For each clip (a human clip and its paired robot clip, as ``lbw demo`` writes them), the clip is
translated as it is and 8 times with a random hue turn and brightness per frame (the training
colour jitter of ``lbw.translation.augment`` at ``--strength``), through the task's shipped
models. Per keypoint, over the held final pose (last 10 frames), px: the error of the plain
translation against the paired robot clip, the spread of the 8 jittered translations' keypoints
(an unpaired uncertainty: if it were large where the error is, the reward could weight by it),
and the error of their mean (test-time averaging).

    python docs/studies/test_time_jitter.py --task drawer_close --clip default=videos/drawer_close_ \
        --clip dark=clips/dark/drawer_close_ --clip room=clips/room/drawer_close_
"""

from __future__ import annotations

import argparse

import numpy as np
from held_pose import CLIP_HELP, paired_clips

from lbw.keypoints.trainer import KeypointDetector
from lbw.runtime import to_frames, to_tensor
from lbw.translation import Translator
from lbw.translation.augment import jitter_colours

DRAWS = 8
HELD = 10  # last frames: the held final pose


def jittered(frames: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """uint8 (T, H, W, 3) frames with a random colour jitter per frame."""
    return to_frames(jitter_colours(to_tensor(frames), strength, rng))


def per_keypoint(values: np.ndarray) -> str:
    return " ".join(f"{v:4.1f}" for v in values)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True)
    p.add_argument("--clip", action="append", required=True, help=CLIP_HELP)
    p.add_argument("--strength", type=float, action="append", help="jitter strengths (default 0.2 and 0.5)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    detector = KeypointDetector.load(f"models/{args.task}/transporter.pt")
    translator = Translator.load(f"models/{args.task}/translator_munit.pt")
    rng = np.random.default_rng(args.seed)
    for name, (human, robot) in paired_clips(args.clip, detector.image_size).items():
        paired = detector(robot)
        error = np.linalg.norm(detector(translator(human)) - paired, axis=-1)[-HELD:].mean(0)  # (K,)
        print(f"{name:>8} plain translation, error per keypoint     {per_keypoint(error)}")
        for strength in args.strength or [0.2, 0.5]:
            draws = np.stack([detector(translator(jittered(human, strength, rng))) for _ in range(DRAWS)])
            spread = np.sqrt(((draws - draws.mean(0)) ** 2).sum(-1).mean(0))[-HELD:].mean(0)
            mean_error = np.linalg.norm(draws.mean(0) - paired, axis=-1)[-HELD:].mean(0)
            print(f"{name:>8} jitter {strength}: spread per keypoint      {per_keypoint(spread)}")
            print(f"{name:>8} jitter {strength}: error of the mean        {per_keypoint(mean_error)}")


if __name__ == "__main__":
    main()
