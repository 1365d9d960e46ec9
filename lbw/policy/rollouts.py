"""Roll a policy out on seeded episodes and score it on ground truth.

    results = rollout_episodes(env, act, seeds=range(10_000, 10_050))
    summary = summarize(results)  # success_rate, mean_return, …

Success is the env's ground-truth ``is_success`` at the last step of the episode (the object
must *stay* on the goal; touching it on the way is not enough).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

Act = Callable[[np.ndarray], np.ndarray]
"""A policy: observation → action (3,) in [-1, 1]."""


@dataclass
class EpisodeResult:
    """One evaluation episode. Distances and positions (x, y, z) in m, world frame; ``frames``
    only for recorded episodes."""

    seed: int
    success: bool
    return_: float
    length: int
    final_goal_distance: float
    final_positions: dict[str, list[float]]
    initial_positions: dict[str, list[float]]
    frames: np.ndarray | None = field(default=None, repr=False)
    keypoints: np.ndarray | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("frames"), out.pop("keypoints")
        out["return"] = out.pop("return_")
        return out


def rollout_episodes(env: gym.Env, act: Act, seeds: Iterable[int], record: int = 0) -> list[EpisodeResult]:
    """Run one episode per seed; keep the frames (and keypoints, where the env observes them)
    of the first ``record`` episodes. The env must render (``render_mode="rgb_array"``) to record."""
    results = []
    for i, seed in enumerate(seeds):
        obs, info = env.reset(seed=int(seed))
        initial = _rounded(info["positions"])
        keep = i < record
        frames, keypoints = [env.render()] if keep else [], [info.get("keypoints")] if keep else []
        total, done, steps = 0.0, False, 0
        while not done:
            obs, reward, terminated, truncated, info = env.step(act(obs))
            total += float(reward)
            steps += 1
            done = terminated or truncated
            if keep:
                frames.append(env.render())
                keypoints.append(info.get("keypoints"))
        results.append(
            EpisodeResult(
                seed=int(seed),
                success=bool(info["is_success"]),
                return_=total,
                length=steps,
                final_goal_distance=float(info["goal_distance"]),
                final_positions=_rounded(info["positions"]),
                initial_positions=initial,
                frames=np.stack(frames) if keep else None,
                keypoints=np.stack(keypoints) if keep and keypoints[0] is not None else None,
            )
        )
    return results


def _rounded(positions: dict[str, np.ndarray]) -> dict[str, list[float]]:
    return {k: np.round(v, 4).tolist() for k, v in positions.items()}


def summarize(results: list[EpisodeResult]) -> dict[str, float]:
    """Aggregates over episodes: success rate, mean/std return, mean final goal distance (m)."""
    returns = np.array([r.return_ for r in results])
    return {
        "episodes": len(results),
        "success_rate": float(np.mean([r.success for r in results])),
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "mean_final_goal_distance": float(np.mean([r.final_goal_distance for r in results])),
    }
