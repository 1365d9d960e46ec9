"""How far a task's success moves the keypoints: each run's kept policy on evaluation episodes,
the mean final keypoints of its successes minus those of its failures, per keypoint (px).

On drawer_close a closed drawer moves the keypoint that follows the drawer by 1.6–1.9 px, less
than a translated arm is off, which is why the keypoint reward barely tells closing from hovering:

    python docs/studies/closing_margin.py runs/drawer_close/long_dark_seed0 \
        runs/drawer_close/long_white_seed0 runs/drawer_close/long_default_seed1 --episodes 20

Each policy acts in the first run's env (its reward and observation); the keypoints are the
detector's, read from the env's ``info``; success is the simulator's, for scoring only.
"""

from __future__ import annotations

import argparse

import numpy as np

from lbw.evaluation.policy import EVAL_SEED, load_best_policy, run_env_factory
from lbw.policy.callbacks import deterministic_policy
from lbw.policy.rollouts import rollout_episodes


def final_keypoints(env, act, seeds: range) -> tuple[np.ndarray, np.ndarray]:
    """(episodes, K, 2) keypoints at each episode's end, in [-1, 1], and (episodes,) success.
    ``env`` must render (``render_mode="rgb_array"``): ``rollout_episodes`` records with frames."""
    results = rollout_episodes(env, act, seeds, record=len(seeds))
    return np.stack([r.keypoints[-1] for r in results]), np.array([r.success for r in results])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders (runs/TASK/NAME) of one task, same observation")
    p.add_argument("--episodes", type=int, default=20)
    args = p.parse_args()
    factory = run_env_factory(args.runs[0])
    env = factory(render_mode="rgb_array")
    image_size = factory.detector.image_size
    try:
        for run in args.runs:
            act = deterministic_policy(load_best_policy(run))
            finals, success = final_keypoints(env, act, range(EVAL_SEED, EVAL_SEED + args.episodes))
            if success.all() or not success.any():
                print(f"{run}: success {success.mean():.2f}, no contrast")
                continue
            shift = (finals[success].mean(0) - finals[~success].mean(0)) * image_size / 2
            cells = ", ".join(f"({x:+.1f}, {y:+.1f})" for x, y in shift)
            print(f"{run}: success {success.mean():.2f}; successes − failures (x, y px): {cells}")
    finally:
        env.close()


if __name__ == "__main__":
    main()
