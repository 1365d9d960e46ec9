"""Where a run's kept policy moves the effector and the task's objects, step by step.

Ground truth from the simulator, for diagnosis only (the policy never sees it): the effector
position and each task point (cm) at a few steps of one evaluation episode per seed.

    python docs/studies/rollout_trace.py runs/drawer_close/long_default_seed0 \
        runs/drawer_close/long_dark_seed0 --seeds 10000 10003
"""

from __future__ import annotations

import argparse

import numpy as np

from lbw.evaluation.policy import load_best_policy, run_env_factory
from lbw.policy.callbacks import deterministic_policy


def trace(run: str, seed: int, steps: tuple[int, ...] = (0, 5, 10, 20, 40)) -> None:
    env = run_env_factory(run)()
    act = deterministic_policy(load_best_policy(run))
    try:
        obs, _ = env.reset(seed=seed)
        task, done, t, info = env.unwrapped, False, 0, {}
        while not done:
            obs, _, terminated, truncated, info = env.step(act(obs))
            done = terminated or truncated
            if t in steps or done:
                points = {k: np.round(v * 100, 1).tolist() for k, v in task.task_points().items()}
                print(
                    f"  t={t:2d} effector {np.round(task.embodiment.position() * 100, 1).tolist()} {points}"
                )
            t += 1
        print(f"  success: {bool(info.get('is_success'))}")
    finally:
        env.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders with a kept policy")
    p.add_argument("--seeds", type=int, nargs="+", default=[10000], help="episode seeds")
    args = p.parse_args()
    for run in args.runs:
        for seed in args.seeds:
            print(f"{run}, episode seed {seed}: positions in cm")
            trace(run, seed)


if __name__ == "__main__":
    main()
