"""Does the keypoint reward prefer success? A check of the reward alone, before any training.

    lbw eval-reward --task reach --starts wide --episodes 30

On each evaluation episode two robot trajectories are rolled out: the scripted demonstrator
acting on the episode's own state (closed loop: it succeeds) and the demo episode's actions
replayed open loop (``replay``: it fails where the episode starts away from the demo's). Both
are scored with the keypoint reward of a run (its demo clip, translated, keypointed and aligned
as ``lbw run`` does), under each norm of ``KEYPOINT_REWARDS``. On the episodes where the first
succeeds and the second fails, a reward that can teach the task ranks the first higher; the
share of such episodes is reported with the median return margin (relative to the replay's
return). Ground truth only says which trajectory succeeded; the returns use keypoints only.

After training, the same question of a run's own reward and policy:

    lbw eval-reward --run runs/drawer_close/lbw_seed0

rolls the scripted demonstrator and the run's kept policy out in the run's env (its clip,
models, norm and starts) on the same episodes. Where the policy fails and the reward still
ranks it above the scripted success, the reward, not the learning, is what falls short.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import gymnasium as gym
import numpy as np
from tqdm.auto import tqdm

from lbw import envs
from lbw.config import KEYPOINT_REWARDS
from lbw.evaluation.policy import EVAL_SEED
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.methods import DEMO_SEED, Demonstration, scripted_demo_actions
from lbw.policy.reference import to_unit
from lbw.policy.rollouts import rollout_episodes
from lbw.policy.wrappers import KeypointReward


def _trajectory(
    task: str, seed: int, starts: str, detector: KeypointDetector, act: Callable[[gym.Env, int], np.ndarray]
) -> tuple[np.ndarray, bool]:
    """Keypoints (T + 1, K, 2) in [-1, 1] of one episode acted by ``act(env, t)``, and its success."""
    env = envs.make(task, obs_mode="pixels", image_size=detector.image_size, starts=starts)
    try:
        frame, _ = env.reset(seed=seed)
        frames, done, t, info = [frame], False, 0, {}
        while not done:
            frame, _, terminated, truncated, info = env.step(act(env, t))
            frames.append(frame)
            done, t = terminated or truncated, t + 1
    finally:
        env.close()
    return to_unit(detector(np.stack(frames)), detector.image_size), bool(info.get("is_success"))


def reward_ranking(
    task: str,
    demonstration: Demonstration,
    detector: KeypointDetector,
    starts: str = "default",
    episodes: int = 30,
    progress: bool = True,
) -> dict:
    """How often each keypoint reward norm ranks the scripted demonstrator's closed-loop episode
    above the open-loop replay of the demo's actions, on ``episodes`` evaluation episodes
    (seeds 10000+i) with ``starts``. Returns ``{"episodes", "replay_success", "scripted_success",
    "contrasted", "norms": {norm: {"ranked_above", "median_margin"}}}``; ``contrasted`` counts
    the episodes where the scripted one succeeds and the replay fails (the ranking's episodes)."""
    actions = scripted_demo_actions(task)
    rewards = {norm: KeypointReward(demonstration.keypoints, norm=norm) for norm in KEYPOINT_REWARDS}
    wins: dict[str, list[bool]] = {norm: [] for norm in rewards}
    margins: dict[str, list[float]] = {norm: [] for norm in rewards}
    successes = {"scripted": 0, "replay": 0}
    seeds = range(EVAL_SEED, EVAL_SEED + episodes)
    for seed in tqdm(seeds, desc=f"rank rewards {task}", disable=not progress):
        closed, closed_ok = _trajectory(
            task, seed, starts, detector, lambda env, t: env.unwrapped.scripted_action()
        )
        opened, opened_ok = _trajectory(
            task, seed, starts, detector, lambda env, t: actions[min(t, len(actions) - 1)]
        )
        successes["scripted"] += closed_ok
        successes["replay"] += opened_ok
        if not closed_ok or opened_ok:
            continue
        for norm, reward in rewards.items():
            closed_return = sum(reward(None, closed[t], t) for t in range(1, len(closed)))
            opened_return = sum(reward(None, opened[t], t) for t in range(1, len(opened)))
            wins[norm].append(closed_return > opened_return)
            margins[norm].append((closed_return - opened_return) / max(abs(opened_return), 1e-9))
    contrasted = len(next(iter(wins.values())))
    return {
        "task": task,
        "starts": starts,
        "demo_seed": DEMO_SEED,
        "episodes": episodes,
        "scripted_success": successes["scripted"] / episodes,
        "replay_success": successes["replay"] / episodes,
        "contrasted": contrasted,
        "norms": {
            norm: {
                "ranked_above": float(np.mean(wins[norm])) if contrasted else None,
                "median_margin": float(np.median(margins[norm])) if contrasted else None,
            }
            for norm in rewards
        },
    }


def successes_ranked_above_failures(returns: Sequence[float], success: Sequence[bool]) -> float | None:
    """The share of (success, failure) pairs of episodes in which the success has the higher
    return; None without at least one of each."""
    returns, success = np.asarray(returns, dtype=float), np.asarray(success, dtype=bool)
    if success.all() or not success.any():
        return None
    return float(np.mean(returns[success][:, None] > returns[~success][None, :]))


def policy_ranking(
    run_dir: str | os.PathLike,
    episodes: int = 30,
    progress: bool = True,
    policy_of: str | os.PathLike | None = None,
) -> dict:
    """How often the run's reward ranks the scripted demonstrator's episode above the run's
    kept policy's, on the ``episodes`` evaluation episodes (seeds 10000+i) where the former
    succeeds and the latter fails. Both act in the run's env (reward, observation, starts as
    in training). Returns ``{"run", "task", "norm", "episodes", "scripted_success",
    "policy_success", "scripted_return", "policy_return", "contrasted", "ranked_above",
    "median_margin", "own_ranked_above"}`` (returns: means over the episodes; margin relative
    to the policy's; ``own_ranked_above``: the share of (success, failure) pairs of the
    policy's own episodes where the success has the higher return). ``policy_of``: score
    another run's kept policy (same observation) in this run's env instead, e.g. one that
    learned the task from another clip."""
    from lbw.evaluation.policy import load_best_policy, run_env_factory
    from lbw.policy.callbacks import deterministic_policy

    factory = run_env_factory(run_dir)
    if factory.demonstration is None:
        raise ValueError(f"{run_dir}: method {factory.config.method!r} has no keypoint reward to rank")
    model = load_best_policy(policy_of or run_dir)
    env = factory()
    if model.observation_space.shape != env.observation_space.shape:
        env.close()
        raise ValueError(
            f"{policy_of}'s policy observes {model.observation_space.shape}, {run_dir}'s env gives "
            f"{env.observation_space.shape}: rank a policy of the same method and keypoints"
        )
    act = deterministic_policy(model)
    seeds = range(EVAL_SEED, EVAL_SEED + episodes)
    try:
        scripted = rollout_episodes(env, lambda obs: env.unwrapped.scripted_action(), seeds)
        seeds = tqdm(seeds, desc=f"rank the policy of {run_dir}", disable=not progress)
        learned = rollout_episodes(env, act, seeds)
    finally:
        env.close()
    pairs = [(s, p) for s, p in zip(scripted, learned, strict=True) if s.success and not p.success]
    margins = [(s.return_ - p.return_) / max(abs(p.return_), 1e-9) for s, p in pairs]
    # The policy's own successes against its failures: no difference of pace between the two
    # (the scripted demonstrator can be slower than the reference, and lose on that alone).
    own = successes_ranked_above_failures([r.return_ for r in learned], [r.success for r in learned])
    return {
        "run": str(run_dir),
        "policy_of": str(policy_of or run_dir),
        "task": factory.config.task,
        "norm": factory.config.policy.keypoint_reward,
        "episodes": episodes,
        "scripted_success": float(np.mean([r.success for r in scripted])),
        "policy_success": float(np.mean([r.success for r in learned])),
        "scripted_return": float(np.mean([r.return_ for r in scripted])),
        "policy_return": float(np.mean([r.return_ for r in learned])),
        "contrasted": len(pairs),
        "ranked_above": float(np.mean([m > 0 for m in margins])) if pairs else None,
        "median_margin": float(np.median(margins)) if pairs else None,
        "own_ranked_above": own,
    }


def policy_ranking_table(results: list[dict]) -> str:
    """Markdown: one row per ``policy_ranking`` result."""
    lines = [
        "| run | norm | scripted / policy success | scripted / policy return | episodes ranked "
        "| success ranked above the policy | median margin | policy's successes above its failures |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        share = "–" if r["ranked_above"] is None else f"{r['ranked_above']:.2f}"
        margin = "–" if r["median_margin"] is None else f"{r['median_margin']:+.2f}"
        own = "–" if r.get("own_ranked_above") is None else f"{r['own_ranked_above']:.2f}"
        lines.append(
            f"| {r['run']}{_policy_of(r)} | {r['norm']} "
            f"| {r['scripted_success']:.2f} / {r['policy_success']:.2f} "
            f"| {r['scripted_return']:.1f} / {r['policy_return']:.1f} | {r['contrasted']} "
            f"| {share} | {margin} | {own} |"
        )
    return "\n".join(lines)


def _policy_of(result: dict) -> str:
    other = result.get("policy_of", result["run"])
    return "" if other == result["run"] else f" (policy of {other})"


def ranking_table(results: list[dict]) -> str:
    """Markdown: one row per result and reward norm."""
    lines = [
        "| task | starts | scripted / replay success | episodes ranked | norm "
        "| success ranked above replay | median margin |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for r in results:
        for norm, score in r["norms"].items():
            share = "–" if score["ranked_above"] is None else f"{score['ranked_above']:.2f}"
            margin = "–" if score["median_margin"] is None else f"{score['median_margin']:+.2f}"
            lines.append(
                f"| {r['task']} | {r['starts']} | {r['scripted_success']:.2f} / {r['replay_success']:.2f} "
                f"| {r['contrasted']} | {norm} | {share} | {margin} |"
            )
    return "\n".join(lines)
