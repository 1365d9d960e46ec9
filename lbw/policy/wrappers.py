"""Gymnasium wrappers that turn a task env into the MDP each method learns in.

    env = envs.make("push", obs_mode="pixels")
    env = KeypointObservation(env, detector, KeypointReward(z_demo))  # LbW
    env = PhaseObservation(envs.make("push"))                          # oracle: ground truth + phase

Every wrapper appends the phase t/T to the observation (the reward is time-indexed, and
without the phase it is not learnable) and ends the episode with ``terminated=True`` at t = T:
with the phase observed, the horizon is part of the MDP, so nothing is bootstrapped past it.
"""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from lbw.config import KEYPOINT_REWARDS
from lbw.envs.base import STATE_BOUND
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.reference import to_unit


class StepReward(Protocol):
    """A time-indexed reward: the current frame and keypoints at step t → a float."""

    def __call__(self, frame: np.ndarray, keypoints: np.ndarray, t: int) -> float: ...


class KeypointReward:
    """r_t = −(distance between the keypoints z_t and the demo's zᴱ_t), in [-1, 1] image units.

    Args:
        reference: float (T + 1, K, 2), the demo's keypoints at each step (reset frame first).
        norm: ``"l2"``: ‖z_t − zᴱ_t‖₂ over all 2K coordinates. ``"per_keypoint"``:
            Σ_k ‖z_{t,k} − zᴱ_{t,k}‖₂ / √K — each keypoint's distance counts in full whatever
            the others' are (under ``l2`` one far-off keypoint, e.g. a block left behind, damps
            the reward's slope in all the others by its share of the norm); the √K makes the two
            equal when all K keypoints are equally far off.
    """

    def __init__(self, reference: np.ndarray, norm: str = "l2") -> None:
        if norm not in KEYPOINT_REWARDS:
            raise ValueError(
                f"unknown keypoint reward norm {norm!r}; choose from {', '.join(KEYPOINT_REWARDS)}"
            )
        self.reference = np.asarray(reference, dtype=np.float32)
        self.norm = norm

    def __call__(self, frame: np.ndarray, keypoints: np.ndarray, t: int) -> float:
        difference = keypoints - self.reference[t]
        if self.norm == "l2":
            return -float(np.linalg.norm(difference))
        return -float(np.linalg.norm(difference, axis=-1).sum() / np.sqrt(len(difference)))


class PixelReward:
    """r_t = −RMS difference between the frame and the demo frame at t, both in [-1, 1].

    Args:
        reference: uint8 (T + 1, H, W, 3), the (translated) demo frames at each step.
    """

    def __init__(self, reference: np.ndarray) -> None:
        self.reference = reference.astype(np.float32) / 127.5 - 1.0

    def __call__(self, frame: np.ndarray, keypoints: np.ndarray, t: int) -> float:
        difference = frame.astype(np.float32) / 127.5 - 1.0 - self.reference[t]
        return -float(np.sqrt(np.mean(difference**2)))


class PhaseObservation(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Ground-truth state (the env's ``obs_mode="state"``) + phase, with the env's own dense
    reward: the ``oracle`` method. Observation float32 (3 · points + 1,)."""

    def __init__(self, env: gym.Env) -> None:
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.Wrapper.__init__(self, env)
        if env.spec is None or env.spec.max_episode_steps is None:
            raise ValueError("the env needs a time limit (make it with envs.make or gym.make)")
        self.horizon = int(env.spec.max_episode_steps)
        self.t = 0
        low, high = self._bounds()
        self.observation_space = spaces.Box(low, high, dtype=np.float32)

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        inner = self.env.observation_space
        return np.append(inner.low, 0.0).astype(np.float32), np.append(inner.high, 1.0).astype(np.float32)

    def _reward(self, obs: np.ndarray, reward: float, info: dict[str, Any]) -> float:
        return reward

    def _observe(self, obs: np.ndarray, info: dict[str, Any]) -> np.ndarray:
        return np.append(obs, self.t / self.horizon).astype(np.float32)

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self.t = 0
        return self._observe(obs, info), info

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.t += 1
        observation = self._observe(obs, info)
        reward = self._reward(obs, float(reward), info)
        if self.t >= self.horizon:
            terminated, truncated = True, False
        return observation, reward, terminated, truncated, info


class KeypointObservation(PhaseObservation):
    """Keypoints of the rendered frame + phase (+ the effector position, if ``proprioception``),
    rewarded by ``reward`` against the demonstration: every method that learns from video.

    The wrapped env must render pixels (``obs_mode="pixels"``). Observation float32
    (2K + 1,) or (2K + 4,): keypoints in [-1, 1] image coordinates, then t/T, then the
    effector position in m. ``info["keypoints"]`` holds the (K, 2) keypoints of the step.
    No other ground truth reaches the observation or the reward.
    """

    def __init__(
        self,
        env: gym.Env,
        detector: KeypointDetector,
        reward: StepReward,
        proprioception: bool = False,
    ) -> None:
        if getattr(env.unwrapped, "obs_mode", None) != "pixels":
            raise ValueError("KeypointObservation needs an env made with obs_mode='pixels'")
        # Recorded first (the base class records none) so that the env can be recreated from
        # its spec, as gymnasium's env checker does.
        gym.utils.RecordConstructorArgs.__init__(
            self, detector=detector, reward=reward, proprioception=proprioception
        )
        self.detector = detector
        self.reward_fn = reward
        self.proprioception = proprioception
        super().__init__(env)

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        n = 2 * self.detector.num_keypoints
        low = [-1.0] * n + [0.0] + [-STATE_BOUND] * 3 * self.proprioception
        high = [1.0] * n + [1.0] + [STATE_BOUND] * 3 * self.proprioception
        return np.array(low, np.float32), np.array(high, np.float32)

    def _observe(self, obs: np.ndarray, info: dict[str, Any]) -> np.ndarray:
        keypoints = to_unit(self.detector(obs[None])[0], self.detector.image_size)
        info["keypoints"] = keypoints
        parts = [keypoints.reshape(-1), [self.t / self.horizon]]
        if self.proprioception:  # the arm's own sense of where its gripper is
            parts.append(self.env.unwrapped.embodiment.position())
        return np.clip(np.concatenate(parts), self.observation_space.low, self.observation_space.high).astype(
            np.float32
        )

    def _reward(self, obs: np.ndarray, reward: float, info: dict[str, Any]) -> float:
        return self.reward_fn(obs, info["keypoints"], self.t)


__all__ = ["KeypointObservation", "KeypointReward", "PhaseObservation", "PixelReward", "StepReward"]
