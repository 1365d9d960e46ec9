"""Where a translated demo's held final pose lands, and whether snapping it onto robot frames helps.

For each clip (a human clip and its paired robot clip, as ``lbw demo`` writes them), the
keypoints of the translated human frames against the paired robot frames': over the clip, over
its last 10 frames (the held final pose) and the worst keypoint there, and each keypoint's
mean offset in the held pose; the same with the translated keypoints shifted so that their first
5 frames sit on the paired robot clip's (a start-pose calibration, with the paired clip as its
best case: is the offset one constant?). Then the same with each
translated frame's keypoints replaced by those of the nearest robot frame (k = 1, 5, 20 nearest
averaged; robot frames: the held-out ones of ``lbw eval-perception``, no paired data).

    python docs/studies/held_pose.py --task drawer_close \
        --clip default=videos/drawer_close_ \
        --clip dark=clips/dark/drawer_close_          # clips/dark/drawer_close_{human,robot}.mp4

With ``--rank RUN --policy-of OTHER``, also the returns of two runs' kept policies under RUN's
reward with the snapped reference (k = 1), as ``lbw eval-reward --run RUN [--policy-of OTHER]``
gives them without it. With ``--picture OUT.png``, each clip's last frame: human | translated |
paired robot, the keypoints drawn on the last two.
"""

from __future__ import annotations

import argparse

import imageio.v3 as iio
import numpy as np

import lbw.policy.methods as methods
from lbw.drawing import draw_keypoints, image_grid
from lbw.evaluation.reward import policy_ranking
from lbw.keypoints.trainer import KeypointDetector
from lbw.stages import cached_frames
from lbw.translation import Translator
from lbw.video import read_video


def snap(keypoints: np.ndarray, robot: np.ndarray, k: int) -> np.ndarray:
    """(T, K, 2) keypoints → the mean of the k nearest of the (N, K, 2) robot keypoints, per frame."""
    flat, bank = keypoints.reshape(len(keypoints), -1), robot.reshape(len(robot), -1)
    nearest = np.argsort(np.linalg.norm(flat[:, None] - bank[None], axis=-1), axis=1)[:, :k]
    return bank[nearest].mean(1).reshape(keypoints.shape).astype(keypoints.dtype)


def errors(keypoints: np.ndarray, paired: np.ndarray) -> str:
    """Keypoint distance, px: over the clip, its last 10 frames, and their worst keypoint."""
    d = np.linalg.norm(keypoints - paired, axis=-1)  # (T, K)
    return (
        f"clip {d.mean():.2f}  held {d[-10:].mean():.2f}  worst held keypoint {d[-10:].mean(0).max():.2f} px"
    )


CLIP_HELP = "NAME=PREFIX: the clips PREFIXhuman.mp4 and PREFIXrobot.mp4"


def paired_clips(specs: list[str], size: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``NAME=PREFIX`` → {NAME: (human frames, paired robot frames)}, each (T, size, size, 3)."""
    pairs = {}
    for spec in specs:
        name, prefix = spec.split("=", 1)
        pairs[name] = (
            read_video(f"{prefix}human.mp4", size=size),
            read_video(f"{prefix}robot.mp4", size=size),
        )
    return pairs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True)
    p.add_argument("--keypoints", help="transporter.pt (default: models/TASK/)")
    p.add_argument("--munit", help="translator (default: models/TASK/translator_munit.pt)")
    p.add_argument("--clip", action="append", required=True, help=CLIP_HELP)
    p.add_argument("--robot-frames", type=int, default=1200)
    p.add_argument("--rank", help="a run folder: its policies' returns under the snapped reference")
    p.add_argument("--policy-of", help="another run whose kept policy --rank scores too")
    p.add_argument("--picture", help="a .png of each clip's held frame: human | translated | paired robot")
    args = p.parse_args()
    detector = KeypointDetector.load(args.keypoints or f"models/{args.task}/transporter.pt")
    translator = Translator.load(args.munit or f"models/{args.task}/translator_munit.pt")
    # eval-perception's held-out robot frames (seed 1000): no model trained on them.
    robot = detector(cached_frames(args.task, "robot", args.robot_frames, 1000).frames)
    rows = []
    for name, (human, paired) in paired_clips(args.clip, detector.image_size).items():
        translated_frames = translator(human)
        translated, truth = detector(translated_frames), detector(paired)
        held = np.concatenate([human[-1:], translated_frames[-1:], paired[-1:]])
        dots = np.stack([np.full_like(truth[-1], np.nan), translated[-1], truth[-1]])  # none on the human
        rows.append(draw_keypoints(held, dots, scale=4))
        print(f"{name:>10} translated     {errors(translated, truth)}")
        offsets = [[round(float(v), 1) for v in k] for k in (translated - truth)[-10:].mean(0)]
        print(f"{name:>10} held offset per keypoint (x, y; px, y down): {offsets}")
        calibrated = translated - translated[:5].mean(0) + truth[:5].mean(0)
        print(f"{name:>10} start-calibrated {errors(calibrated, truth)}")
        for k in (1, 5, 20):
            print(f"{name:>10} snapped, k={k:<3} {errors(snap(translated, robot, k), truth)}")
    if args.picture:
        iio.imwrite(args.picture, image_grid(rows))
        print(f"wrote {args.picture}")
    if args.rank:
        load = methods.load_demonstration

        class Snapping:  # the detector, snapping what it finds in the demo clip only
            image_size = detector.image_size

            def __init__(self, inner: KeypointDetector) -> None:
                self.inner = inner

            def __call__(self, frames: np.ndarray) -> np.ndarray:
                return snap(self.inner(frames), robot, 1)

        methods.load_demonstration = lambda path, det, tr, length, pace=None: load(
            path, Snapping(det), tr, length, pace
        )
        for other in (None, args.policy_of) if args.policy_of else (None,):
            r = policy_ranking(args.rank, episodes=30, progress=False, policy_of=other)
            success, mean_return = r["policy_success"], r["policy_return"]
            print(f"policy of {r['policy_of']}: success {success:.2f}, return {mean_return:.2f}")


if __name__ == "__main__":
    main()
