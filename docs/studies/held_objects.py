"""Would stressing the object keypoints once the demo holds its final pose make a clip's reward
prefer success? On drawer_close the arm keypoints of a translated held pose sit 2–3 px off
and closing the drawer moves its keypoint less than that; here the keypoints whose spread over
held-out robot frames is small (the objects: the arm ranges over the frame) keep weight w and
the arm keypoints get weight a from the step the reference holds its last pose on. Measured: the
share of (success, failure) pairs of the runs' kept policies' episodes ranked right under each
clip's reward, and where each clip's held pose lies against the successes' and failures' final
keypoints (no ground truth in the weights; success is the simulator's, for scoring only).
Also printed, for comparison: the plain reward (every weight 1), and the same on keypoint
displacements (each episode's keypoints minus its reset frame's, the reference's minus its
first frame's), which a translation offset that stays the same over the clip would not move:

    python docs/studies/held_objects.py runs/drawer_close/snap_white_seed1 \
        runs/drawer_close/room_seed0 runs/drawer_close/snap_white_seed0 runs/drawer_close/room_seed1 \
        --clip default=videos/drawer_close_human.mp4 --clip dark=clips/dark/drawer_close_human.mp4 \
        --clip white=clips/white/drawer_close_human.mp4 --clip room=clips/room/drawer_close_human.mp4

Every policy acts in the first run's env; the references are each clip through the task
config's models, aligned as ``lbw run`` aligns them (without snapping).
"""

from __future__ import annotations

import argparse

import numpy as np
from task_models import kept_policy_episodes, robot_spread, task_models, weighted_returns

from lbw.evaluation.policy import run_env_factory
from lbw.evaluation.reward import successes_ranked_above_failures
from lbw.policy.methods import load_demonstration
from lbw.policy.reference import robot_pace

OBJECT_SPREAD_PX = 5.0  # below: an object keypoint (drawer_close's arm ones spread 8–12 px)
HELD_PX = 0.5  # the reference holds its pose from the step after which it stays this near its last
ARM_WEIGHTS = (1.0, 0.5, 0.25, 0.0)
OBJECT_WEIGHTS = (1.0, 3.0)


def held_from(reference: np.ndarray, px: float) -> int:
    """The first step from which the (T, K, 2) reference stays within ``HELD_PX`` of its last frame."""
    near = np.abs(reference - reference[-1]).max(axis=(1, 2)) * px <= HELD_PX
    return len(near) - int(np.argmin(near[::-1])) if not near.all() else 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders of one task, same observation")
    p.add_argument("--clip", action="append", required=True, help="NAME=PATH of a human clip")
    p.add_argument("--episodes", type=int, default=20)
    args = p.parse_args()
    factory = run_env_factory(args.runs[0])
    config, detector, translator = task_models(factory.config.task)
    px = detector.image_size / 2
    spread = robot_spread(config.task, detector) * px
    objects = spread < OBJECT_SPREAD_PX
    print("spread per keypoint over robot frames, px:", " ".join(f"{s:.1f}" for s in spread))
    results = kept_policy_episodes(factory, args.runs, args.episodes)
    keypoints = np.stack([r.keypoints for r in results])
    success = np.array([r.success for r in results])
    pace = robot_pace(config.task, detector) if config.alignment == "pace" else None
    for spec in args.clip:
        name, path = spec.split("=", 1)
        reference = load_demonstration(path, detector, translator, keypoints.shape[1], pace).keypoints
        held = held_from(reference, px)
        to_successes = np.linalg.norm(reference[-1] - keypoints[success, -1].mean(0), axis=-1) * px
        to_failures = np.linalg.norm(reference[-1] - keypoints[~success, -1].mean(0), axis=-1) * px
        print(
            f"{name}: held from step {held}; last pose to the successes' mean final keypoints, px:",
            " ".join(f"{d:.1f}" for d in to_successes),
            "| to the failures':",
            " ".join(f"{d:.1f}" for d in to_failures),
        )
        ones = np.ones(keypoints.shape[2])
        plain = successes_ranked_above_failures(weighted_returns(keypoints, reference, ones), success)
        moved = weighted_returns(keypoints - keypoints[:, :1], reference - reference[:1], ones)
        displaced = successes_ranked_above_failures(moved, success)
        print(f"  plain: successes above failures {plain:.2f}; on displacements {displaced:.2f}")
        for arm in ARM_WEIGHTS:
            for weight in OBJECT_WEIGHTS:
                # Per step after the reset frame: the arm's weight falls to ``arm`` once held.
                steps = np.arange(1, len(reference))[:, None]
                weights = np.where(objects, weight, np.where(steps >= held, arm, 1.0))
                returns = weighted_returns(keypoints, reference, weights)
                right = successes_ranked_above_failures(returns, success)
                label = f"held arm weight {arm:.2f}, objects ×{weight:.0f}"
                print(f"  {label}: successes above failures {right:.2f}")


if __name__ == "__main__":
    main()
