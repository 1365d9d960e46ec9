"""Evaluate a saved policy: the run's own evaluation, then the policy stepped by hand in the env
it learned in (the same observation and keypoint reward), to use it in your own code.

    python examples/evaluate_saved_policy.py runs/reach/quickstart
    python examples/evaluate_saved_policy.py runs/reach/quickstart --episodes 5
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from stable_baselines3 import SAC

from lbw import evaluate_run, method_env_factory
from lbw.run_dir import load_run_config


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--episodes", type=int, default=5)
    args = parser.parse_args(argv)

    # 1. What `lbw evaluate` does: episodes on held-out seeds, eval_info.json and videos.
    info = evaluate_run(args.run_dir, episodes=args.episodes, record=1, progress=False)
    print(json.dumps(info["aggregated"], indent=1))

    # 2. By hand: the run's env (its clip translated and keypointed once) and its best policy.
    config = load_run_config(args.run_dir)
    stages = json.loads((args.run_dir / "stages.json").read_text())
    env = method_env_factory(config, stages)()
    policy = SAC.load(args.run_dir / "policy" / "best_model.zip", device="cpu")
    obs, info_ = env.reset(seed=123)
    total, done = 0.0, False
    while not done:
        action, _ = policy.predict(obs, deterministic=True)
        obs, reward, terminated, truncated, info_ = env.step(action)
        total += float(reward)  # the keypoint reward: no ground truth in it
        done = terminated or truncated
    print(f"seed 123: return {total:.2f}, success {info_['is_success']} (ground truth, for evaluation only)")
    env.close()
    return info


if __name__ == "__main__":
    main()
