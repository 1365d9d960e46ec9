"""Speed and reliability benchmarks of the simulation.

    lbw bench env                 # render ms, steps/s with and without rendering, per env
    lbw bench demos --seeds 100   # scripted demonstrator success per task and embodiment
    lbw bench models              # perception training and inference time (--device cpu|cuda)
    lbw bench policy              # env and SAC training steps/s per method, as configs/TASK.yaml trains
    lbw bench policy --tasks push --n-envs 1 2 4   # the same with 1, 2 and 4 training envs
    lbw bench sac --device cuda   # SAC alone on a synthetic env: is the policy faster on a GPU?

Timings are medians over repeated runs (the machines are shared and noisy).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lbw import envs

if TYPE_CHECKING:
    import gymnasium

    from lbw.config import PolicyConfig

# The speed budgets lbw holds itself to on the 2-core CPU machine.
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
        render_times = []
        for _ in range(repeats * 20):
            start = time.perf_counter()
            pixels.unwrapped.render_frame()
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


def bench_demos(task: str, embodiment: str, seeds: int = 100, starts: str = "default") -> DemoReliability:
    """Success of the scripted demonstrator on seeds 0 … seeds-1 (ground truth at episode end)."""
    env = envs.make(task, embodiment=embodiment, starts=starts)
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


@dataclass
class ModelSpeed:
    model: str
    parameters: int
    batch_size: int
    train_s_per_iteration: float  # median wall time of one training iteration
    inference_ms_per_frame: float  # keypoints of / translation of one 64×64 frame


def _median_time(fn, repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def bench_models(repeats: int = 10, device: str | None = None) -> list[ModelSpeed]:
    """Training iteration time and single-frame inference time of each perception model, on
    random 64×64 inputs (speed does not depend on what the pixels show)."""
    import torch

    from lbw.keypoints import TransporterTrainConfig, TransporterTrainer
    from lbw.translation import trainer_class

    torch.manual_seed(0)
    rows = []
    keypoints = TransporterTrainer(TransporterTrainConfig(), device=device)
    pairs = [torch.rand(16, 3, 64, 64, device=keypoints.device) * 2 - 1 for _ in range(2)]
    frame = pairs[0][:1]
    train_s = _median_time(lambda: keypoints.update(*pairs), repeats)
    keypoints.model.eval()
    with torch.inference_mode():
        infer_s = _median_time(lambda: keypoints.model.keypoints(frame), repeats * 5)
    n = sum(p.numel() for p in keypoints.model.parameters())
    rows.append(ModelSpeed("transporter", n, 16, train_s, 1e3 * infer_s))
    for kind in ("munit", "cyclegan"):
        trainer = trainer_class(kind)(device=device)
        x_a, x_b = (torch.rand(4, 3, 64, 64, device=trainer.device) * 2 - 1 for _ in range(2))

        def iteration(trainer=trainer, x_a=x_a, x_b=x_b) -> None:
            trainer.dis_update(x_a, x_b)
            trainer.gen_update(x_a, x_b)

        train_s = _median_time(iteration, repeats)
        trainer.eval()
        with torch.inference_mode():
            infer_s = _median_time(lambda trainer=trainer, x=x_a[:1]: trainer.translate(x), repeats * 5)
        n = sum(p.numel() for net in trainer.networks().values() for p in net.parameters())
        rows.append(ModelSpeed(kind, n, 4, train_s, 1e3 * infer_s))
    return rows


# The speed budgets: keypoint inference ≤ 3 ms, Transporter ≤ 0.25 s and MUNIT ≤ 0.4 s per iteration.
MODEL_BUDGETS = {"transporter": (0.25, 3.0), "munit": (0.4, None), "cyclegan": (None, None)}


def models_table(rows: Sequence[ModelSpeed]) -> str:
    lines = [
        "| model | parameters | batch | s / training iteration (budget) | inference ms / frame (budget) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        train_budget, infer_budget = MODEL_BUDGETS.get(r.model, (None, None))
        train = f"{r.train_s_per_iteration:.3f}" + (f" (≤ {train_budget})" if train_budget else "")
        infer = f"{r.inference_ms_per_frame:.2f}" + (f" (≤ {infer_budget})" if infer_budget else "")
        lines.append(f"| {r.model} | {r.parameters:,} | {r.batch_size} | {train} | {infer} |")
    return "\n".join(lines)


@dataclass
class PolicySpeed:
    task: str
    method: str
    env_steps_per_s: float  # the method's env alone (render + keypoint net + reward), random actions
    sac_steps_per_s: float  # SAC training as the policy config sets it: env steps, updates, noise
    n_envs: int = 1  # training envs (subprocesses when > 1)
    overlap_updates: bool = False  # updates while the envs step (policy.overlap_updates)


POLICY_BUDGET_STEPS_PER_S = 200  # SAC training at ≥ 200 env steps/s on the 2-core machine


def _sac_steps_per_s(
    env: gymnasium.Env, device: str, steps: int, repeats: int, warmup: int, policy: PolicyConfig | None = None
) -> float:
    """Median env steps/s of SAC training on ``env`` (``policy``, default: the default policy
    config, on ``device``), timed in chunks of ``steps`` after 200 untimed steps (100 of them
    random, then updates). ``env``: one env or a ``VecEnv`` of ``policy.n_envs``."""
    from dataclasses import replace

    from lbw.config import PolicyConfig
    from lbw.policy.sac import build_sac

    timed = replace(policy or PolicyConfig(), learning_starts=100, total_steps=10 * steps * repeats)
    model = build_sac(env, timed, device)
    model.learn(200)

    def chunk() -> None:
        model.learn(steps, reset_num_timesteps=False)

    return steps / _median_time(chunk, repeats, warmup=warmup)


def bench_policy(
    task: str, method: str, steps: int = 500, repeats: int = 5, policy: PolicyConfig | None = None
) -> PolicySpeed:
    """Env and SAC training throughput of a method, with the default-size Transporter (untrained
    weights: speed does not depend on them), a synthetic reference trajectory and ``policy``'s
    settings (proprioception, exploration noise, update ratio, training envs; default: the
    default config). The env column is one env in this process."""
    from functools import partial

    import torch

    from lbw.config import PolicyConfig
    from lbw.keypoints import KeypointDetector, Transporter, TransporterConfig
    from lbw.policy.methods import Demonstration, make_method_env
    from lbw.policy.sac import training_env
    from lbw.runtime import torch_threads

    torch.manual_seed(0)
    detector = KeypointDetector(Transporter(TransporterConfig()).eval(), torch.device("cpu"))
    length = envs.MAX_EPISODE_STEPS + 1
    frames = np.zeros((length, detector.image_size, detector.image_size, 3), np.uint8)
    keypoints = np.zeros((length, detector.num_keypoints, 2), np.float32)
    policy = policy or PolicyConfig()
    demonstration = Demonstration(frames, frames, keypoints)
    make_env = partial(make_method_env, method, task, demonstration, detector, policy.proprioception)
    env = make_env()
    rng = np.random.default_rng(0)
    with torch_threads(1):
        env_rate = float(np.median([_steps_per_s(env, steps, rng) for _ in range(repeats)]))
        sac_env = training_env(make_env, policy)
        sac_rate = _sac_steps_per_s(sac_env, "cpu", steps, repeats, warmup=0, policy=policy)
    env.close()
    sac_env.close()
    return PolicySpeed(task, method, env_rate, sac_rate, policy.n_envs, policy.overlap_updates)


def policy_table(rows: Sequence[PolicySpeed]) -> str:
    lines = [
        "| task | method | env steps/s | training envs | updates while stepping "
        f"| SAC training env steps/s (≥ {POLICY_BUDGET_STEPS_PER_S}) |",
        "|---|---|---:|---:|---|---:|",
    ]
    for r in rows:
        overlap = "yes" if r.overlap_updates else "no"
        lines.append(
            f"| {r.task} | {r.method} | {r.env_steps_per_s:.0f} | {r.n_envs} | {overlap} "
            f"| {r.sac_steps_per_s:.0f} |"
        )
    return "\n".join(lines)


@dataclass
class SacSpeed:
    device: str
    obs_dim: int
    steps_per_s: float  # SAC training on a synthetic env: action selection, replay, gradient steps


def bench_sac(device: str | None = None, obs_dim: int = 13, steps: int = 500, repeats: int = 5) -> SacSpeed:
    """SAC training steps/s with the default policy config on a synthetic env (random
    observations of ``obs_dim``, the push ``lbw`` size: 6 keypoints × 2 + phase; no physics, no
    rendering), so what is timed is the learner alone, on ``device`` (default: cuda if present)."""
    import gymnasium as gym
    import torch

    from lbw.checkpoint import device_name, pick_device
    from lbw.runtime import torch_threads

    class SyntheticEnv(gym.Env):
        observation_space = gym.spaces.Box(-1.0, 1.0, (obs_dim,), np.float32)
        action_space = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            self.t = 0
            return self.observation_space.sample(), {}

        def step(self, action):
            self.t += 1
            return self.observation_space.sample(), 0.0, False, self.t >= envs.MAX_EPISODE_STEPS, {}

    torch.manual_seed(0)
    resolved = pick_device(device)
    env = SyntheticEnv()
    env.observation_space.seed(0)
    with torch_threads(1):
        rate = _sac_steps_per_s(env, str(resolved), steps, repeats, warmup=1)
    return SacSpeed(device_name(resolved), obs_dim, rate)


def sac_table(rows: Sequence[SacSpeed]) -> str:
    lines = ["| device | observation size | SAC training steps/s (synthetic env) |", "|---|---:|---:|"]
    lines += [f"| {r.device} | {r.obs_dim} | {r.steps_per_s:.0f} |" for r in rows]
    return "\n".join(lines)
