"""SAC whose gradient steps run while the training envs step in their subprocesses.

SB3's SAC collects ``train_freq`` env steps, then trains: on 2 cores the learner waits for
the env (render, keypoint net, physics: ≈ 3.4 ms a step on push) and the env for the learner
(≈ 3 ms an update). Here ``train()`` only counts the gradient steps due, and the training
env runs them between sending the next actions to its workers and collecting their results,
so the two overlap. The one difference from SB3's order: the actions of the next env step
come from the policy before that update, not after it (one update of lag, at 1 update per
2 env steps) — the same number of updates per env step, on the same replay buffer.

    env = UpdatesWhileStepping(SubprocVecEnv([...]))
    model = OverlappedSAC("MlpPolicy", env, ...)   # attaches itself to env
    model.learn(100_000)
"""

from __future__ import annotations

from typing import Any

from stable_baselines3 import SAC
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvStepReturn


class UpdatesWhileStepping(VecEnvWrapper):
    """A ``VecEnv`` (of subprocess workers) that runs ``learner.run_pending_updates()`` after
    sending the actions and before waiting for the workers' results."""

    def __init__(self, venv: VecEnv) -> None:
        super().__init__(venv)
        self.learner: OverlappedSAC | None = None

    def reset(self):  # noqa: ANN201  (SB3's VecEnvObs)
        return self.venv.reset()

    def step_wait(self) -> VecEnvStepReturn:
        if self.learner is not None:
            self.learner.run_pending_updates()
        return self.venv.step_wait()


class OverlappedSAC(SAC):
    """SB3 SAC that defers its gradient steps to the next env step of an
    ``UpdatesWhileStepping`` env (see the module docstring). The count of deferred steps is
    saved with the model, so a resumed run does them; ``learn`` does any left at its end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pending_gradient_steps = 0
        super().__init__(*args, **kwargs)

    def _setup_model(self) -> None:
        super()._setup_model()
        self._attach()

    def set_env(self, env: Any, force_reset: bool = True) -> None:
        super().set_env(env, force_reset)
        self._attach()

    def _attach(self) -> None:
        if self.env is None:  # loaded without an env: nothing to train on yet
            return
        if not isinstance(self.env, UpdatesWhileStepping):
            raise TypeError(
                f"OverlappedSAC trains on an UpdatesWhileStepping env, not {type(self.env).__name__}"
            )
        self.env.learner = self

    def train(self, gradient_steps: int, batch_size: int = 64) -> None:
        self._pending_gradient_steps += gradient_steps

    def run_pending_updates(self) -> None:
        """The gradient steps ``train`` deferred, now."""
        steps, self._pending_gradient_steps = self._pending_gradient_steps, 0
        if steps:
            super().train(gradient_steps=steps, batch_size=self.batch_size)

    def learn(self, *args: Any, **kwargs: Any) -> OverlappedSAC:
        super().learn(*args, **kwargs)
        self.run_pending_updates()
        return self
