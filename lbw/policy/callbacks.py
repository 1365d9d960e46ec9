"""stable-baselines3 callbacks for SAC training, and the files they write to the run folder.

    callbacks = [SuccessEvalCallback(eval_env, every=5000, episodes=20, run_dir=run),
                 ResumeCheckpointCallback(every=10000, run_dir=run)]
    model.learn(300_000, callback=CallbackList(callbacks))

``SuccessEvalCallback`` logs ``eval/*`` (ground-truth success, return, final goal distance) to
``evaluations.jsonl`` and keeps ``best_model.zip`` (and the ``keep`` best-evaluated models in
``candidates/step_N.zip``); ``ResumeCheckpointCallback`` keeps ``last_model.zip`` +
``replay_buffer.pkl`` to resume from.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3 import SAC
from stable_baselines3.common.callbacks import BaseCallback
from tqdm.auto import tqdm

from lbw.files import JsonlLogger, atomic_write, copy_file, read_jsonl, write_text
from lbw.policy.rollouts import rollout_episodes, summarize

TRAINING_EVAL_SEED = 20_000  # evaluation seeds during training; the final evaluation uses others
BEST, LAST, BUFFER, EVALUATIONS = "best_model.zip", "last_model.zip", "replay_buffer.pkl", "evaluations.jsonl"
CANDIDATES = "candidates"
BEST_AT_LAST = "best_model_at_last.zip"  # the best model as it stood when last_model.zip was saved


def passed_multiple(callback: BaseCallback, every: int) -> bool:
    """Whether the last step of the training envs took ``num_timesteps`` past a multiple of
    ``every`` (it adds ``n_envs`` env steps at once)."""
    steps = callback.num_timesteps
    return steps // every > (steps - callback.model.n_envs) // every


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
        if passed_multiple(self, self.every):
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
        self.logger.dump(self.num_timesteps)  # as SB3's EvalCallback: eval/* at their own step
        self.log.log(self.num_timesteps, values)
        self.last_eval = self.num_timesteps
        self.scores[self.num_timesteps] = summary["success_rate"]
        if summary["success_rate"] >= self.best:
            self.best = summary["success_rate"]
            atomic_save(self.model, self.run_dir / BEST)
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
            atomic_save(self.model, folder / f"step_{step}.zip")
        for dropped in ranked[self.keep :]:
            (folder / f"step_{dropped}.zip").unlink(missing_ok=True)


class ResumeCheckpointCallback(BaseCallback):
    """Every ``every`` env steps, save the model and its replay buffer to resume from."""

    def __init__(self, every: int, run_dir: Path) -> None:
        super().__init__()
        self.every, self.run_dir = every, run_dir

    def _on_step(self) -> bool:
        if passed_multiple(self, self.every):
            self.save()
        return True

    def _on_training_end(self) -> None:
        self.save()

    def save(self) -> None:
        save_resume_point(self.model, self.run_dir)


def save_resume_point(model: SAC, run_dir: Path) -> None:
    """Save what a resumed run goes on from: the model, its replay buffer and the best model
    as it stands now (a resume rewinds to this point: ``rewind_to_resume_point``)."""
    with atomic_write(run_dir / BUFFER) as partial:
        model.save_replay_buffer(partial)
    if (run_dir / BEST).exists():
        copy_file(run_dir / BEST, run_dir / BEST_AT_LAST)
    atomic_save(model, run_dir / LAST)  # last: its presence marks a complete resume point


def rewind_to_resume_point(run_dir: Path, step: int) -> None:
    """Forget what happened after the resume point at env step ``step``: evaluation records
    after it (the learning curve would get two points for one step), candidates saved after it
    and a best model saved after it (it came from the discarded branch)."""
    log = run_dir / EVALUATIONS
    if log.exists():
        kept = [r for r in read_jsonl(log) if r["iteration"] <= step]
        write_text(log, "".join(json.dumps(r) + "\n" for r in kept))
    for later in (s for s in candidate_steps(run_dir / CANDIDATES) if s > step):
        (run_dir / CANDIDATES / f"step_{later}.zip").unlink()
    if (run_dir / BEST_AT_LAST).exists():
        copy_file(run_dir / BEST_AT_LAST, run_dir / BEST)
    else:
        (run_dir / BEST).unlink(missing_ok=True)


class ModelSettingsAtStep(BaseCallback):
    """Set attributes of the model once ``after`` env steps are done, and keep them so: SB3
    reads them afresh for every rollout (``action_noise=None``: SAC's own sampling alone) or
    update (``target_entropy=-6.0``: the temperature tunes towards it). A run resumed past
    ``after`` starts with them."""

    def __init__(self, after: int, **settings: Any) -> None:
        super().__init__()
        self.after, self.settings = after, settings

    def _on_training_start(self) -> None:
        self._on_step()

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.after:
            for name, value in self.settings.items():
                setattr(self.model, name, value)
        return True


class ProgressBarCallback(BaseCallback):
    """A tqdm bar over env steps, showing the latest evaluation success rate."""

    def __init__(self, total: int, evaluations: SuccessEvalCallback) -> None:
        super().__init__()
        self.total, self.evaluations, self.bar = total, evaluations, None

    def _on_training_start(self) -> None:
        self.bar = tqdm(total=self.total, initial=self.num_timesteps, desc="train policy", unit="step")

    def _on_step(self) -> bool:
        self.bar.update(self.model.n_envs)
        if passed_multiple(self, 1000) and self.evaluations.best >= 0:
            self.bar.set_postfix(best_success=f"{self.evaluations.best:.2f}")
        return True

    def _on_training_end(self) -> None:
        self.bar.close()


def deterministic_policy(model: SAC) -> Callable[[np.ndarray], np.ndarray]:
    """The policy's mean action (tanh-squashed) for one observation."""
    return lambda obs: model.predict(obs, deterministic=True)[0]


def atomic_save(model: SAC, path: Path) -> None:
    with atomic_write(path) as partial:
        model.save(partial)


def candidate_steps(folder: Path) -> set[int]:
    """The env steps of the candidate models saved in ``folder`` (``step_N.zip``)."""
    return (
        {int(p.stem.removeprefix("step_")) for p in folder.glob("step_*.zip")} if folder.is_dir() else set()
    )
