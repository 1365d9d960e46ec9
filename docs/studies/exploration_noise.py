"""How much SAC's own exploration costs a kept policy: its success with the mean action (as
evaluations act) and with actions sampled as training samples them, the policy's standard
deviation scaled by k (1: as trained; 0.5: the std a 2.1-nats-lower entropy target would keep).

On slide a strike must be precise: the kept policy of seed 1 strikes with its mean action on 13
of 20 episodes, with sampled actions on 5, so the episodes SAC trains on hold few successes:

    python docs/studies/exploration_noise.py runs/slide/quiet_seed1 --episodes 20

Episodes are the training evaluations' seeds (20000+i); success is the simulator's, for scoring.
"""

from __future__ import annotations

import argparse
import math

import torch

from lbw.evaluation.policy import load_best_policy, run_env_factory

TRAINING_EVAL_SEED = 20000


def successes(model, env, episodes: int, std_scale: float | None) -> int:
    """Episodes (seeds 20000+i) the policy succeeds in: mean actions (``std_scale`` None), or
    actions sampled with the policy's std × ``std_scale``."""
    actor = model.policy.actor
    params = actor.get_action_dist_params
    if std_scale is not None:

        def scaled(obs):
            mean, log_std, kwargs = params(obs)
            return mean, log_std + math.log(std_scale), kwargs

        actor.get_action_dist_params = scaled
    try:
        wins = 0
        for i in range(episodes):
            torch.manual_seed(i)
            obs, _ = env.reset(seed=TRAINING_EVAL_SEED + i)
            done, info = False, {}
            while not done:
                action, _ = model.predict(obs, deterministic=std_scale is None)
                obs, _, terminated, truncated, info = env.step(action)
                done = terminated or truncated
            wins += bool(info.get("is_success", False))
        return wins
    finally:
        actor.get_action_dist_params = params


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="run folders")
    p.add_argument("--episodes", type=int, default=20)
    p.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.5, 0.25])
    args = p.parse_args()
    for run in args.runs:
        model, env = load_best_policy(run), run_env_factory(run)()
        cells = [f"mean action {successes(model, env, args.episodes, None)}"]
        cells += [f"std ×{k:g} {successes(model, env, args.episodes, k)}" for k in args.scales]
        print(f"{run}: " + ", ".join(cells) + f" of {args.episodes}", flush=True)


if __name__ == "__main__":
    main()
