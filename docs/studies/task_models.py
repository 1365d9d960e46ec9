"""The perception models a task's config uses, loaded (the shipped ones for the shipped configs),
for the studies beside this file: ``config, detector, translator = task_models("push")``."""

from __future__ import annotations

from lbw.config import RunConfig, task_config
from lbw.keypoints.trainer import KeypointDetector
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
