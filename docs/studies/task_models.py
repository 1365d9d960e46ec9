"""The perception models a task's config uses, loaded (the shipped ones for the shipped configs),
for the studies beside this file: ``config, detector, translator = task_models("push")``; the
recorded evaluation episodes of runs' kept policies: ``kept_policy_episodes(factory, runs, 20)``;
each keypoint's spread over held-out robot frames (``robot_spread``) and episodes' returns under
a reward with per-keypoint weights (``weighted_returns``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lbw.config import RunConfig, task_config
from lbw.evaluation.policy import EVAL_SEED, load_best_policy
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.callbacks import deterministic_policy
from lbw.policy.reference import to_unit
from lbw.policy.rollouts import EpisodeResult, rollout_episodes
from lbw.stages import cached_frames, configured_perception
from lbw.translation import Translator


def task_models(task: str) -> tuple[RunConfig, KeypointDetector, Translator]:
    """``configs/TASK.yaml``, its keypoint detector and its translator (MUNIT unless the config's
    method names another)."""
    config = task_config(task)
    models = configured_perception(config, progress=False)
    return (
        config,
        KeypointDetector.load(models["keypoints"]),
        Translator.load(models[config.translator_model or "munit"]),
    )


def kept_policy_episodes(factory: Callable, runs: list[str], episodes: int) -> list[EpisodeResult]:
    """Each run's kept policy on ``episodes`` evaluation episodes (seeds 10000+i), every one
    recorded (frames and keypoints), all acting in the env ``factory`` makes; prints each run's
    success."""
    env = factory(render_mode="rgb_array")
    seeds = range(EVAL_SEED, EVAL_SEED + episodes)
    results = []
    try:
        for run in runs:
            ran = rollout_episodes(env, deterministic_policy(load_best_policy(run)), seeds, record=episodes)
            print(f"{run}: success {np.mean([r.success for r in ran]):.2f}")
            results += ran
    finally:
        env.close()
    return results


def robot_spread(task: str, detector: KeypointDetector, frames: int = 1200) -> np.ndarray:
    """(K,) each keypoint's spread (root mean square distance from its mean, unit coordinates)
    over eval-perception's held-out robot frames (seed 1000): no model trained on them."""
    robot = to_unit(detector(cached_frames(task, "robot", frames, 1000).frames), detector.image_size)
    return np.sqrt(((robot - robot.mean(0)) ** 2).sum(-1).mean(0))


def weighted_returns(keypoints: np.ndarray, reference: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(E, T + 1, K, 2) episodes' keypoints, (T + 1, K, 2) reference → (E,) returns of
    −‖w_t · (z_t − zᴱ_t)‖ summed over the T steps after the reset frame; ``weights`` (K,) for
    every step, or (T, K) per step."""
    w = np.broadcast_to(weights, (len(reference) - 1, weights.shape[-1]))
    difference = (keypoints[:, 1:] - reference[None, 1:]) * w[None, :, :, None]
    return -np.linalg.norm(difference.reshape(*difference.shape[:2], -1), axis=-1).sum(1)
