"""Would more keypoints make a clip's keypoint reward prefer success? The same episodes scored
by the keypoint rewards (``l2``, ``per_keypoint``) of Transporters with K keypoints, each clip
translated by the task config's MUNIT.

On drawer_close the dark-skinned clip's reward ranks the policy's failures above its successes:
the drawer's front is followed by one keypoint of six, and the translated arm's 2–3 px error
outweighs it. A detector with more keypoints may give the drawer (and the arm) more of them.
Measured: how often a success scores above a failure (all pairs of the runs' kept policies'
episodes, pooled) under each clip's reward and each detector:

    python docs/studies/keypoint_count.py runs/drawer_close/consensus_default_seed1 \
        runs/drawer_close/consensus_dark_seed0 runs/drawer_close/clipsel_dark_seed0 \
        runs/drawer_close/timing_fast_seed0 \
        --keypoints K6=models/drawer_close/transporter.pt --keypoints K8=PATH_8 --keypoints K10=PATH_10 \
        --clip default=videos/drawer_close_human.mp4 --clip dark=clips/dark/drawer_close_human.mp4 \
        --clip white=clips/white/drawer_close_human.mp4

PATH_K: the ``transporter.pt`` of ``lbw train-keypoints configs/drawer_close.yaml
keypoints.checkpoint=null keypoints.num_keypoints=K``. ``--translator PATH`` translates the clips
with another MUNIT's ``translator.pt`` (default: the config's), e.g. a wider one. Every policy
acts in the first run's env (its observations are that run's keypoints); its rendered frames are
then seen by each detector. References are aligned as ``lbw run`` aligns them. Success is the
simulator's, for scoring only.
"""

from __future__ import annotations

import argparse

import numpy as np
from task_models import kept_policy_episodes, task_models

from lbw.config import KEYPOINT_REWARDS
from lbw.evaluation.policy import run_env_factory
from lbw.evaluation.reward import successes_ranked_above_failures
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.methods import load_demonstration
from lbw.policy.reference import robot_pace, to_unit
from lbw.policy.wrappers import KeypointReward
from lbw.translation import Translator


def returns(keypoints: np.ndarray, reward: KeypointReward) -> np.ndarray:
    """(E, T + 1, K, 2) episodes' keypoints → (E,) returns over the steps after the reset frame."""
    steps = range(1, keypoints.shape[1])
    return np.array([sum(reward(None, episode[t], t) for t in steps) for episode in keypoints])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders of one task, same observation")
    p.add_argument("--keypoints", action="append", required=True, help="NAME=PATH of a transporter.pt")
    p.add_argument("--clip", action="append", required=True, help="NAME=PATH of a human clip")
    p.add_argument("--translator", help="translator.pt the clips are translated by (default: the config's)")
    p.add_argument("--episodes", type=int, default=20)
    args = p.parse_args()
    factory = run_env_factory(args.runs[0])
    config, _, translator = task_models(factory.config.task)
    if args.translator:
        translator = Translator.load(args.translator)
    results = kept_policy_episodes(factory, args.runs, args.episodes)
    episodes = np.stack([r.frames for r in results])  # (E, T + 1, H, W, 3)
    success = np.array([r.success for r in results])
    for spec in args.keypoints:
        name, path = spec.split("=", 1)
        detector = KeypointDetector.load(path)
        flat = episodes.reshape(-1, *episodes.shape[2:])
        keypoints = to_unit(detector(flat), detector.image_size).reshape(*episodes.shape[:2], -1, 2)
        pace = robot_pace(config.task, detector) if config.alignment == "pace" else None
        length = keypoints.shape[1]
        for clip in args.clip:
            label, clip_path = clip.split("=", 1)
            reference = load_demonstration(clip_path, detector, translator, length, pace).keypoints
            for norm in KEYPOINT_REWARDS:
                scored = returns(keypoints, KeypointReward(reference, norm))
                right = successes_ranked_above_failures(scored, success)
                print(f"{name:>6} {label:>8} {norm:>12}: successes above failures {right:.2f}")


if __name__ == "__main__":
    main()
