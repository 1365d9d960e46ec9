"""Speed and reliability benchmarks of the simulation.

    lbw bench env                 # render ms, steps/s with and without rendering, per env
    lbw bench demos --seeds 100   # scripted demonstrator success per task and embodiment

Timings are medians over repeated runs (the machines are shared and noisy).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import envs

# Budgets from DESIGN.md on the 2-core CPU machine.
RENDER_BUDGET_MS = 2.5
RENDER_STEPS_PER_S_BUDGET = 300
PHYSICS_STEPS_PER_S_BUDGET = 2000


@dataclass
class EnvSpeed:
    task: str
    embodiment: str
    render_ms: float  # median time of one rendered frame
    steps_per_s_render: float  # env.step with obs_mode="pixels": physics + arm IK + render
    steps_per_s_physics: float  # env.step with obs_mode="state": physics only


def _steps_per_s(env, steps: int, rng: np.random.Generator) -> float:
    env.reset(seed=int(rng.integers(1000)))
    actions = rng.uniform(-1, 1, size=(steps, 3)).astype(np.float32)
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def bench_env(
    task: str, embodiment: str, steps: int = 300, repeats: int = 5, image_size: int = 64, seed: int = 0
) -> EnvSpeed:
    rng = np.random.default_rng(seed)
    physics = envs.make(task, embodiment=embodiment, obs_mode="state")
    pixels = envs.make(task, embodiment=embodiment, obs_mode="pixels", image_size=image_size)
    try:
        physics_rates = [_steps_per_s(physics, steps, rng) for _ in range(repeats)]
        render_rates = [_steps_per_s(pixels, steps, rng) for _ in range(repeats)]
        unwrapped = pixels.unwrapped
        render_times = []
        for _ in range(repeats * 20):
            unwrapped._frame = None  # drop the cached frame so that render() really renders
            start = time.perf_counter()
            unwrapped.render()
            render_times.append(time.perf_counter() - start)
    finally:
        physics.close()
        pixels.close()
    return EnvSpeed(
        task,
        embodiment,
        1e3 * float(np.median(render_times)),
        float(np.median(render_rates)),
        float(np.median(physics_rates)),
    )


def env_table(rows: Sequence[EnvSpeed]) -> str:
    """A markdown table of ``bench_env`` results, with the budgets in the header."""
    lines = [
        f"| task | embodiment | render ms (≤ {RENDER_BUDGET_MS}) | steps/s with render "
        f"(≥ {RENDER_STEPS_PER_S_BUDGET}) | steps/s physics only (≥ {PHYSICS_STEPS_PER_S_BUDGET}) |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.task} | {r.embodiment} | {r.render_ms:.2f} | {r.steps_per_s_render:,.0f} "
            f"| {r.steps_per_s_physics:,.0f} |"
        )
    return "\n".join(lines)


@dataclass
class DemoReliability:
    task: str
    embodiment: str
    successes: int
    episodes: int


def bench_demos(task: str, embodiment: str, seeds: int = 100) -> DemoReliability:
    """Success of the scripted demonstrator on seeds 0 … seeds-1 (ground truth at episode end)."""
    env = envs.make(task, embodiment=embodiment)
    successes = 0
    try:
        for seed in range(seeds):
            env.reset(seed=seed)
            done, info = False, {}
            while not done:
                _, _, terminated, truncated, info = env.step(env.unwrapped.scripted_action())
                done = terminated or truncated
            successes += bool(info["is_success"])
    finally:
        env.close()
    return DemoReliability(task, embodiment, successes, seeds)


def demos_table(rows: Sequence[DemoReliability]) -> str:
    tasks = list(dict.fromkeys(r.task for r in rows))
    by_key = {(r.task, r.embodiment): r for r in rows}
    lines = ["| task | human | robot |", "|---|---:|---:|"]
    for task in tasks:
        cells = [by_key.get((task, e)) for e in ("human", "robot")]
        lines.append(
            f"| {task} | " + " | ".join(f"{c.successes}/{c.episodes}" if c else "–" for c in cells) + " |"
        )
    return "\n".join(lines)
