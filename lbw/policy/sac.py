"""Soft Actor-Critic from stable-baselines3 on a method's env, with evaluation on
ground-truth success (the best checkpoint is kept), resumable checkpoints and logs.

    from lbw.policy.sac import train_sac
    best = train_sac(lambda: make_method_env("lbw", "push", demo, detector), PolicyConfig(), "runs/x/policy")

Writes to the run folder: ``best_model.zip`` (highest evaluation success rate, ties to the
later one; with ``select_top`` > 1, the kept candidate best on validation episodes),
``candidates/step_N.zip`` + ``selection.json`` (the ``select_top`` best-evaluated models and
their validation scores), ``last_model.zip`` + ``replay_buffer.pkl`` (to resume), ``evaluations.jsonl``
(``{"iteration": env steps, "time_s", "eval/success_rate", …}``: the learning curve) and
SB3's ``progress.csv`` (``train/actor_loss``, ``train/ent_coef``, …; a resumed session writes
``progress_from_STEPS.csv``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np
from stable_baselines3 import SAC
from stable_baselines3.common.buffers import NStepReplayBuffer, ReplayBuffer
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.logger import Logger, make_output_format
from stable_baselines3.common.noise import ActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.utils import LinearSchedule
from tqdm.auto import tqdm

from lbw.config import PolicyConfig
from lbw.evaluation.rollouts import rollout_episodes, summarize
from lbw.training import JsonlLogger, prepare_run_dir, read_jsonl, torch_threads

TRAINING_EVAL_SEED = 20_000  # evaluation seeds during training; the final evaluation uses others
VALIDATION_SEED = 30_000  # seeds that re-score the candidates: neither training's nor the final's
# SAC's small MLPs train faster on the CPU than on a GPU, where kernel launches and copies
# outweigh the arithmetic: 338 against 163 steps/s on an H200 machine (`lbw bench sac`, medians of 3).
POLICY_DEVICE = "cpu"
BEST, LAST, BUFFER, EVALUATIONS = "best_model.zip", "last_model.zip", "replay_buffer.pkl", "evaluations.jsonl"
CANDIDATES, SELECTION = "candidates", "selection.json"


class SuccessEvalCallback(BaseCallback):
    """Every ``every`` env steps (and at the end), roll the deterministic policy out on
    ``episodes`` seeded episodes of ``eval_env``, log ``eval/*`` and keep the best model (and,
    if ``keep`` > 1, the ``keep`` best-evaluated ones in ``candidates/``)."""

    def __init__(self, eval_env: gym.Env, every: int, episodes: int, run_dir: Path, keep: int = 1) -> None:
        super().__init__()
        self.eval_env, self.every, self.episodes, self.run_dir = eval_env, every, episodes, run_dir
        self.keep = keep
        self.log = JsonlLogger(run_dir / EVALUATIONS)
        history = read_jsonl(run_dir / EVALUATIONS) if (run_dir / EVALUATIONS).exists() else []
        self.scores = {h["iteration"]: h["eval/success_rate"] for h in history}
        self.best = max(self.scores.values(), default=-1.0)
        self.last_eval = history[-1]["iteration"] if history else 0
        self._clock = (time.perf_counter(), 0)

    def _on_step(self) -> bool:
        if self.num_timesteps % self.every == 0:
            self.evaluate()
        return True

    def _on_training_end(self) -> None:
        if self.num_timesteps != self.last_eval:
            self.evaluate()

    def evaluate(self) -> None:
        seeds = range(TRAINING_EVAL_SEED, TRAINING_EVAL_SEED + self.episodes)
        summary = summarize(rollout_episodes(self.eval_env, deterministic_policy(self.model), seeds))
        start, steps = self._clock
        rate = (self.num_timesteps - steps) / max(time.perf_counter() - start, 1e-9)
        values = {f"eval/{k}": v for k, v in summary.items() if k != "episodes"}
        values["train/env_steps_per_s"] = round(rate, 1)
        for key, value in values.items():
            self.logger.record(key, value)
        self.log.log(self.num_timesteps, values)
        self.last_eval = self.num_timesteps
        self.scores[self.num_timesteps] = summary["success_rate"]
        if summary["success_rate"] >= self.best:
            self.best = summary["success_rate"]
            _atomic_save(self.model, self.run_dir / BEST)
        if self.keep > 1:
            self._keep_candidate()
        self._clock = (time.perf_counter(), self.num_timesteps)

    def _keep_candidate(self) -> None:
        """Save this model if it ranks among the ``keep`` best evaluated (ties to the later)."""
        folder = self.run_dir / CANDIDATES
        folder.mkdir(exist_ok=True)
        kept, step = candidate_steps(folder), self.num_timesteps
        ranked = sorted(kept | {step}, key=lambda s: (self.scores.get(s, -1.0), s), reverse=True)
        if step in ranked[: self.keep]:
            _atomic_save(self.model, folder / f"step_{step}.zip")
        for dropped in ranked[self.keep :]:
            (folder / f"step_{dropped}.zip").unlink(missing_ok=True)


class ResumeCheckpointCallback(BaseCallback):
    """Every ``every`` env steps, save the model and its replay buffer to resume from."""

    def __init__(self, every: int, run_dir: Path) -> None:
        super().__init__()
        self.every, self.run_dir = every, run_dir

    def _on_step(self) -> bool:
        if self.num_timesteps % self.every == 0:
            self.save()
        return True

    def _on_training_end(self) -> None:
        self.save()

    def save(self) -> None:
        _atomic_save(self.model, self.run_dir / LAST)
        partial = self.run_dir / f".{BUFFER}.partial"
        self.model.save_replay_buffer(partial)
        os.replace(partial, self.run_dir / BUFFER)


class StopExplorationCallback(BaseCallback):
    """Drop the training actions' extra noise (``model.action_noise``) once ``until`` env steps
    are done: SAC's own sampling alone from then on. A resumed run past ``until`` starts without."""

    def __init__(self, until: int) -> None:
        super().__init__()
        self.until = until

    def _on_training_start(self) -> None:
        self._on_step()

    def _on_step(self) -> bool:
        # SB3 reads ``model.action_noise`` afresh for every rollout it collects.
        if self.num_timesteps >= self.until:
            self.model.action_noise = None
        return True


class ProgressBarCallback(BaseCallback):
    """A tqdm bar over env steps, showing the latest evaluation success rate."""

    def __init__(self, total: int, evaluations: SuccessEvalCallback) -> None:
        super().__init__()
        self.total, self.evaluations, self.bar = total, evaluations, None

    def _on_training_start(self) -> None:
        self.bar = tqdm(total=self.total, initial=self.num_timesteps, desc="train policy", unit="step")

    def _on_step(self) -> bool:
        self.bar.update(1)
        if self.num_timesteps % 1000 == 0 and self.evaluations.best >= 0:
            self.bar.set_postfix(best_success=f"{self.evaluations.best:.2f}")
        return True

    def _on_training_end(self) -> None:
        self.bar.close()


def deterministic_policy(model: SAC) -> Callable[[np.ndarray], np.ndarray]:
    """The policy's mean action (tanh-squashed) for one observation."""
    return lambda obs: model.predict(obs, deterministic=True)[0]


def _atomic_save(model: SAC, path: Path) -> None:
    partial = path.with_name(f".{path.stem}.partial.zip")
    model.save(partial)
    os.replace(partial, path)


def candidate_steps(folder: Path) -> set[int]:
    """The env steps of the candidate models saved in ``folder`` (``step_N.zip``)."""
    return (
        {int(p.stem.removeprefix("step_")) for p in folder.glob("step_*.zip")} if folder.is_dir() else set()
    )


def select_candidate(
    eval_env: gym.Env, run_dir: Path, episodes: int, device: str = POLICY_DEVICE, progress: bool = True
) -> dict:
    """Re-score the kept candidates on ``episodes`` validation episodes (seeds 30000+i) and
    copy the best (success rate, then final goal distance) to ``best_model.zip``: 20 training
    episodes rank checkpoints noisily. Writes and returns ``selection.json``'s record."""
    folder = run_dir / CANDIDATES
    steps = sorted(candidate_steps(folder))
    if not steps:
        raise FileNotFoundError(f"no candidate models in {folder}")
    seeds = range(VALIDATION_SEED, VALIDATION_SEED + episodes)
    rows = []
    for step in tqdm(steps, desc="select policy", unit="model", disable=not progress):
        model = SAC.load(folder / f"step_{step}.zip", device=device)
        summary = summarize(rollout_episodes(eval_env, deterministic_policy(model), seeds))
        rows.append({"iteration": step, **{f"validation/{k}": v for k, v in summary.items()}})
    chosen = max(
        rows, key=lambda r: (r["validation/success_rate"], -r["validation/mean_final_goal_distance"])
    )
    partial = run_dir / f".{BEST}.partial"
    shutil.copyfile(folder / f"step_{chosen['iteration']}.zip", partial)
    os.replace(partial, run_dir / BEST)
    record = {"chosen": chosen["iteration"], "candidates": rows}
    (run_dir / SELECTION).write_text(json.dumps(record, indent=1))
    return record


def replay_capacity(config: PolicyConfig) -> int:
    """Transitions the replay buffer holds: ``buffer_size``, or every step of the run."""
    return max(config.buffer_size or config.total_steps, 1)


def resize_replay_buffer(buffer: ReplayBuffer, capacity: int) -> ReplayBuffer:
    """The same transitions in a buffer of ``capacity`` (the newest ones, if fewer fit), in
    chronological order from index 0; the buffer itself if its capacity is already that."""
    if buffer.buffer_size == capacity:
        return buffer
    size = buffer.buffer_size if buffer.full else buffer.pos
    order = (np.arange(size) + buffer.pos) % buffer.buffer_size if buffer.full else np.arange(size)
    order = order[-capacity:]
    new = copy.copy(buffer)  # keeps the class and its settings (n-step γ, spaces, device)
    for name in ("observations", "next_observations", "actions", "rewards", "dones", "timeouts"):
        if hasattr(buffer, name):
            old = getattr(buffer, name)
            array = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            array[: len(order)] = old[order]
            setattr(new, name, array)
    new.buffer_size, new.pos, new.full = capacity, len(order) % capacity, len(order) == capacity
    return new


class ExcursionNoise(ActionNoise):
    """Temporally extended exploration: at each step, with ``probability``, start an excursion
    that adds one random vector (uniform in [-2, 2] per axis, so it overrides the policy where
    large) for ``min_steps``–``max_steps`` steps. The policy cannot steer back during it, as it
    does against small noise (it follows the shadow); the buffer stores the actions taken."""

    def __init__(self, action_dim: int, probability: float, min_steps: int = 5, max_steps: int = 20) -> None:
        super().__init__()
        self.action_dim, self.probability = action_dim, probability
        self.min_steps, self.max_steps = min_steps, max_steps
        self.reset()

    def reset(self) -> None:
        self.steps_left, self.push = 0, np.zeros(self.action_dim)

    def __call__(self) -> np.ndarray:
        # Global numpy RNG, as SB3's own noises: SAC's ``seed`` makes it reproducible.
        if self.steps_left == 0 and np.random.rand() < self.probability:
            self.steps_left = np.random.randint(self.min_steps, self.max_steps + 1)
            self.push = np.random.uniform(-2.0, 2.0, self.action_dim)
        if self.steps_left == 0:
            return np.zeros(self.action_dim)
        self.steps_left -= 1
        return self.push.copy()


def exploration_noise(config: PolicyConfig, action_dim: int) -> ActionNoise | None:
    """The noise added to training actions: Ornstein-Uhlenbeck with σ = ``action_noise`` (SB3's
    θ = 0.15, dt = 0.01: nearly a random walk of 0.1 σ per step, reset every episode), or
    excursions started with probability ``excursions`` per step; None if both are 0."""
    if config.excursions > 0:
        return ExcursionNoise(action_dim, config.excursions)
    if config.action_noise > 0:
        zeros = np.zeros(action_dim)
        return OrnsteinUhlenbeckActionNoise(mean=zeros, sigma=np.full(action_dim, config.action_noise))
    return None


def learning_rate_schedule(config: PolicyConfig) -> float | LinearSchedule:
    """``learning_rate``, constant, or decayed linearly to ``learning_rate_final`` at
    ``total_steps`` (SB3 schedules run on the fraction of ``total_steps`` left)."""
    if config.learning_rate_final is None:
        return config.learning_rate
    return LinearSchedule(config.learning_rate, config.learning_rate_final, end_fraction=1.0)


def build_sac(env: gym.Env, config: PolicyConfig, device: str = POLICY_DEVICE) -> SAC:
    """SB3 SAC with the config's sizes and update ratio: small MLPs, batches and one gradient
    step per ``train_freq`` env steps keep it ≥ 100 env steps/s on 2 CPU cores."""
    n_step = config.n_steps > 1
    return SAC(
        "MlpPolicy",
        env,
        learning_rate=learning_rate_schedule(config),
        buffer_size=replay_capacity(config),
        learning_starts=config.learning_starts,
        batch_size=config.batch_size,
        gamma=config.gamma,
        train_freq=config.train_freq,
        gradient_steps=config.gradient_steps,
        action_noise=exploration_noise(config, env.action_space.shape[0]),
        # The n-step buffer named explicitly (not ``n_steps=``): SB3 then reloads it silently.
        replay_buffer_class=NStepReplayBuffer if n_step else None,
        replay_buffer_kwargs={"n_steps": config.n_steps, "gamma": config.gamma} if n_step else None,
        policy_kwargs={"net_arch": list(config.net_arch)},
        seed=config.seed,
        device=device,
        verbose=0,
    )


def train_sac(
    make_env: Callable[[], gym.Env],
    config: PolicyConfig,
    run_dir: str | os.PathLike,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    device: str = POLICY_DEVICE,
) -> Path:
    """Train to ``config.total_steps`` env steps in ``run_dir``; returns the best model's path.
    ``resume`` goes on from the last checkpoint (model, replay buffer, evaluation history)."""
    run_dir = prepare_run_dir(run_dir, resume=resume, overwrite=overwrite)
    (run_dir / "policy_config.json").write_text(json.dumps(config.__dict__, indent=1))
    env, eval_env = make_env(), make_env()
    with torch_threads(1):
        _learn(env, eval_env, config, run_dir, resume, progress, device)
    return run_dir / BEST


def _learn(
    env: gym.Env,
    eval_env: gym.Env,
    config: PolicyConfig,
    run_dir: Path,
    resume: bool,
    progress: bool,
    device: str,
) -> None:
    try:
        if resume and (run_dir / LAST).exists():
            # The learning rate comes from the config, not the file: a run resumed to more
            # steps decays over the new total_steps.
            model = SAC.load(
                run_dir / LAST,
                env=env,
                device=device,
                custom_objects={"learning_rate": learning_rate_schedule(config)},
            )
            model.load_replay_buffer(run_dir / BUFFER)
            # A run resumed with more steps (or another capacity) gets the capacity it asks for.
            model.replay_buffer = resize_replay_buffer(model.replay_buffer, replay_capacity(config))
            model.action_noise = exploration_noise(config, env.action_space.shape[0])
        else:
            model = build_sac(env, config, device)
        # SB3 truncates its csv when it opens it: a resumed session logs to a file of its own.
        suffix = f"_from_{model.num_timesteps}" if model.num_timesteps else ""
        model.set_logger(Logger(str(run_dir), [make_output_format("csv", str(run_dir), suffix)]))
        evaluations = SuccessEvalCallback(
            eval_env, config.eval_every, config.eval_episodes, run_dir, keep=config.select_top
        )
        callbacks = [evaluations, ResumeCheckpointCallback(config.checkpoint_every, run_dir)]
        if config.exploration_steps is not None:
            callbacks.append(StopExplorationCallback(config.exploration_steps))
        if progress:
            callbacks.append(ProgressBarCallback(config.total_steps, evaluations))
        remaining = config.total_steps - model.num_timesteps
        if remaining > 0:
            model.learn(
                remaining, callback=CallbackList(callbacks), reset_num_timesteps=False, log_interval=10
            )
        if config.select_top > 1 and (remaining > 0 or not (run_dir / SELECTION).exists()):
            select_candidate(eval_env, run_dir, config.select_episodes, device, progress)
    finally:
        env.close()
        eval_env.close()
