"""Extra exploration noise on SAC's training actions (SB3 ``ActionNoise``), chosen by config.

    model.action_noise = exploration_noise(config, action_dim=3)  # None, OU noise or excursions

Ornstein-Uhlenbeck noise drifts a little each step; an excursion holds one large random push
for 5–20 steps. ``ModelSettingsAtStep(exploration_steps, action_noise=None)`` (``callbacks``) turns either
off after ``exploration_steps``.
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.noise import ActionNoise, OrnsteinUhlenbeckActionNoise, VectorizedActionNoise

from lbw.config import PolicyConfig


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
    excursions started with probability ``excursions`` per step; None if both are 0. With
    ``n_envs`` > 1, one independent noise per env (each reset with its own episode)."""
    if config.excursions > 0:
        noise: ActionNoise = ExcursionNoise(action_dim, config.excursions)
    elif config.action_noise > 0:
        zeros = np.zeros(action_dim)
        noise = OrnsteinUhlenbeckActionNoise(mean=zeros, sigma=np.full(action_dim, config.action_noise))
    else:
        return None
    return VectorizedActionNoise(noise, config.n_envs) if config.n_envs > 1 else noise
