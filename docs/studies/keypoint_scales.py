"""Would per-keypoint scales make a clip's keypoint reward prefer success? Each keypoint's
distance divided by its spread over robot frames (no paired data), against the plain ``l2``.

On drawer_close the translated arm of a held-out demonstrator sits 2–3 px off, and the
keypoint that follows the drawer moves less than that when it closes; the arm keypoints
range over the whole frame, so weighting each keypoint by 1 / (its spread over held-out robot
frames) would stress the ones that move least. Measured: how often a success scores above a
failure (all pairs of the runs' kept policies' episodes, pooled) under each clip's reward:

    python docs/studies/keypoint_scales.py runs/drawer_close/consensus_default_seed1 \
        runs/drawer_close/consensus_dark_seed0 runs/drawer_close/clipsel_dark_seed0 \
        runs/drawer_close/timing_fast_seed0 --clip default=videos/drawer_close_human.mp4 \
        --clip dark=clips/dark/drawer_close_human.mp4 --clip white=clips/white/drawer_close_human.mp4

Every policy acts in the first run's env; the references are each clip through the task
config's models (the shipped ones), aligned as ``lbw run`` aligns them. Success is the
simulator's, for scoring only.
"""

from __future__ import annotations

import argparse

import numpy as np
from task_models import kept_policy_episodes, robot_spread, task_models, weighted_returns

from lbw.evaluation.policy import run_env_factory
from lbw.evaluation.reward import successes_ranked_above_failures
from lbw.policy.methods import load_demonstration
from lbw.policy.reference import robot_pace

FLOORS_PX = (0.5, 1.0, 2.0)  # the smallest spread a keypoint is credited with (a still one's is noise)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders of one task, same observation")
    p.add_argument("--clip", action="append", required=True, help="NAME=PATH of a human clip")
    p.add_argument("--episodes", type=int, default=20)
    p.add_argument("--robot-frames", type=int, default=1200)
    args = p.parse_args()
    factory = run_env_factory(args.runs[0])
    config, detector, translator = task_models(factory.config.task)
    spread = robot_spread(config.task, detector, args.robot_frames)  # (K,), unit coordinates
    px = detector.image_size / 2
    print("spread per keypoint over robot frames, px:", " ".join(f"{s * px:.1f}" for s in spread))
    results = kept_policy_episodes(factory, args.runs, args.episodes)
    keypoints = np.stack([r.keypoints for r in results])
    success = np.array([r.success for r in results])
    pace = robot_pace(config.task, detector) if config.alignment == "pace" else None
    variants = {"l2": np.ones_like(spread)}
    for floor in FLOORS_PX:
        weights = 1 / np.maximum(spread, floor / px)
        variants[f"1/spread, floor {floor} px"] = weights / weights.mean()
    for spec in args.clip:
        name, path = spec.split("=", 1)
        reference = load_demonstration(path, detector, translator, keypoints.shape[1], pace).keypoints
        for label, weights in variants.items():
            right = successes_ranked_above_failures(weighted_returns(keypoints, reference, weights), success)
            print(f"{name:>10} {label:<24} successes above failures {right:.2f}")
    print("weights (floor 1 px):", " ".join(f"{w:.2f}" for w in variants["1/spread, floor 1.0 px"]))


if __name__ == "__main__":
    main()
