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
import os
import signal
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np
from stable_baselines3 import SAC
from stable_baselines3.common.buffers import NStepReplayBuffer, ReplayBuffer
from stable_baselines3.common.callbacks import CallbackList
from stable_baselines3.common.logger import Logger, make_output_format
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import SubprocVecEnv, VecEnv
from tqdm.auto import tqdm

from lbw.config import PolicyConfig
from lbw.files import copy_file, prepare_run_dir, write_json
from lbw.logs import TENSORBOARD, check_tensorboard
from lbw.policy.callbacks import (
    BEST,
    BUFFER,
    CANDIDATES,
    LAST,
    ModelSettingsAtStep,
    ProgressBarCallback,
    ResumeCheckpointCallback,
    SuccessEvalCallback,
    candidate_steps,
    deterministic_policy,
    rewind_to_resume_point,
    save_resume_point,
)
from lbw.policy.exploration import exploration_noise
from lbw.policy.overlap import OverlappedSAC, UpdatesWhileStepping
from lbw.policy.rollouts import rollout_episodes, summarize
from lbw.runtime import torch_threads

VALIDATION_SEED = 30_000  # seeds that re-score the candidates: neither training's nor the final's
# SAC's small MLPs train faster on the CPU than on a GPU, where kernel launches and copies
# outweigh the arithmetic: 338 against 163 steps/s on an H200 machine (`lbw bench sac`, medians of 3).
POLICY_DEVICE = "cpu"
SELECTION = "selection.json"


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
    copy_file(folder / f"step_{chosen['iteration']}.zip", run_dir / BEST)
    record = {"chosen": chosen["iteration"], "candidates": rows}
    write_json(run_dir / SELECTION, record)
    return record


def replay_capacity(config: PolicyConfig) -> int:
    """Transitions the replay buffer holds: ``buffer_size``, or every step of the run."""
    return max(config.buffer_size or config.total_steps, 1)


def resize_replay_buffer(buffer: ReplayBuffer, capacity: int) -> ReplayBuffer:
    """The same transitions in a buffer of ``capacity`` rows (of ``n_envs`` transitions each;
    the newest ones, if fewer fit), in chronological order from index 0; the buffer itself if
    its capacity is already that."""
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


def learning_rate_schedule(config: PolicyConfig) -> float | LinearSchedule:
    """``learning_rate``, constant, or decayed linearly to ``learning_rate_final`` at
    ``total_steps`` (SB3 schedules run on the fraction of ``total_steps`` left)."""
    if config.learning_rate_final is None:
        return config.learning_rate
    return LinearSchedule(config.learning_rate, config.learning_rate_final, end_fraction=1.0)


class SubprocessEnv:
    """Makes one of the training envs inside its ``SubprocVecEnv`` worker: one torch thread
    there (the workers and the learner share the cores), SB3's ``Monitor`` for episode stats.
    The worker ignores Ctrl-C: the learner saves its resume point, then closes the workers."""

    def __init__(self, make_env: Callable[[], gym.Env]) -> None:
        self.make_env = make_env

    def __call__(self) -> gym.Env:
        import torch

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        torch.set_num_threads(1)
        return Monitor(self.make_env())


def training_env(make_env: Callable[[], gym.Env], config: PolicyConfig) -> gym.Env | VecEnv:
    """The env SAC collects from: ``make_env()`` itself, or ``config.n_envs`` of them stepped
    side by side in subprocesses (the keypoint net, render and physics of each on its own
    core), which also step while the learner updates with ``config.overlap_updates``."""
    if config.n_envs == 1 and not config.overlap_updates:
        return make_env()
    env = SubprocVecEnv([SubprocessEnv(make_env) for _ in range(config.n_envs)])
    return UpdatesWhileStepping(env) if config.overlap_updates else env


def sac_class(config: PolicyConfig) -> type[SAC]:
    """SB3's SAC, or with ``overlap_updates`` the one that updates while its envs step."""
    return OverlappedSAC if config.overlap_updates else SAC


def build_sac(env: gym.Env | VecEnv, config: PolicyConfig, device: str = POLICY_DEVICE) -> SAC:
    """SB3 SAC with the config's sizes and update ratio: small MLPs, batches and one gradient
    step per ``train_freq`` env steps keep it ≥ 100 env steps/s on 2 CPU cores. ``env``: what
    ``training_env(make_env, config)`` makes."""
    n_step = config.n_steps > 1
    train_freq, gradient_steps = config.update_schedule()
    return sac_class(config)(
        "MlpPolicy",
        env,
        learning_rate=learning_rate_schedule(config),
        buffer_size=replay_capacity(config),
        learning_starts=config.learning_starts,
        batch_size=config.batch_size,
        gamma=config.gamma,
        train_freq=train_freq,
        gradient_steps=gradient_steps,
        action_noise=exploration_noise(config, env.action_space.shape[0]),
        # A target from a later step on is set then, by ModelSettingsAtStep.
        target_entropy="auto"
        if config.target_entropy is None or config.target_entropy_from
        else config.target_entropy,
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
    tensorboard: bool = False,
) -> Path:
    """Train to ``config.total_steps`` env steps in ``run_dir``; returns the best model's path.
    ``resume`` goes on from the last checkpoint (model, replay buffer, evaluation history);
    ``tensorboard``: SB3's log (``train/*``, ``eval/*``) also in ``run_dir/tensorboard``."""
    run_dir = prepare_run_dir(run_dir, resume=resume, overwrite=overwrite)
    write_json(run_dir / "policy_config.json", config.__dict__)
    env, eval_env = training_env(make_env, config), make_env()
    with torch_threads(1):
        _learn(env, eval_env, config, run_dir, resume, progress, device, tensorboard)
    return run_dir / BEST


def _learn(
    env: gym.Env | VecEnv,
    eval_env: gym.Env,
    config: PolicyConfig,
    run_dir: Path,
    resume: bool,
    progress: bool,
    device: str,
    tensorboard: bool = False,
) -> None:
    try:
        if resume and (run_dir / LAST).exists():
            # The learning rate comes from the config, not the file: a run resumed to more
            # steps decays over the new total_steps.
            model = sac_class(config).load(
                run_dir / LAST,
                env=env,
                device=device,
                custom_objects={"learning_rate": learning_rate_schedule(config)},
            )
            model.load_replay_buffer(run_dir / BUFFER)
            if model.replay_buffer.n_envs != model.n_envs:
                raise ValueError(
                    f"{run_dir} was trained with policy.n_envs={model.replay_buffer.n_envs}: "
                    f"resume it with that, not {model.n_envs}"
                )
            rewind_to_resume_point(run_dir, model.num_timesteps)
            # A run resumed with more steps (or another capacity) gets the capacity it asks for
            # (SB3's buffer holds capacity / n_envs rows of n_envs transitions).
            rows = max(replay_capacity(config) // model.n_envs, 1)
            model.replay_buffer = resize_replay_buffer(model.replay_buffer, rows)
            model.action_noise = exploration_noise(config, env.action_space.shape[0])
        else:
            model = build_sac(env, config, device)
            rewind_to_resume_point(run_dir, 0)  # a resumed folder without a resume point starts over
        # SB3 truncates its csv when it opens it: a resumed session logs to a file of its own.
        suffix = f"_from_{model.num_timesteps}" if model.num_timesteps else ""
        formats = [make_output_format("csv", str(run_dir), suffix)]
        if tensorboard:
            check_tensorboard()  # SB3's own writer would fail with a bare ImportError
            formats.append(make_output_format("tensorboard", str(run_dir / TENSORBOARD)))
        model.set_logger(Logger(str(run_dir), formats))
        evaluations = SuccessEvalCallback(
            eval_env, config.eval_every, config.eval_episodes, run_dir, keep=config.select_top
        )
        callbacks = [evaluations, ResumeCheckpointCallback(config.checkpoint_every, run_dir)]
        if config.exploration_steps is not None:
            callbacks.append(ModelSettingsAtStep(config.exploration_steps, action_noise=None))
        if config.target_entropy_from:
            target = float(config.target_entropy)
            callbacks.append(ModelSettingsAtStep(config.target_entropy_from, target_entropy=target))
        if progress:
            callbacks.append(ProgressBarCallback(config.total_steps, evaluations))
        remaining = config.total_steps - model.num_timesteps
        if remaining > 0:
            try:
                model.learn(
                    remaining, callback=CallbackList(callbacks), reset_num_timesteps=False, log_interval=10
                )
            except KeyboardInterrupt:
                # Ctrl-C: --resume goes on from here, counted from the last whole update interval
                # (SB3 collects train_freq steps of every env at a time: from a count between two
                # a resumed run would end past total_steps).
                model.num_timesteps -= model.num_timesteps % (config.update_schedule()[0] * model.n_envs)
                save_resume_point(model, run_dir)
                raise
        if config.select_top > 1 and (remaining > 0 or not (run_dir / SELECTION).exists()):
            select_candidate(eval_env, run_dir, config.select_episodes, device, progress)
    finally:
        env.close()
        eval_env.close()
