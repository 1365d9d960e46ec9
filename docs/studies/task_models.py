"""The perception models a task's config uses, loaded (the shipped ones for the shipped configs),
for the studies beside this file: ``config, detector, translator = task_models("push")``; and
the recorded evaluation episodes of runs' kept policies: ``kept_policy_episodes(factory, runs, 20)``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lbw.config import RunConfig, task_config
from lbw.evaluation.policy import EVAL_SEED, load_best_policy
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.callbacks import deterministic_policy
from lbw.policy.rollouts import EpisodeResult, rollout_episodes
from lbw.stages import configured_perception
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
