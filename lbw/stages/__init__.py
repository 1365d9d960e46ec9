"""The perception stages every run of a task shares: data → translator → keypoints, built once.

    from lbw.config import load_config
    from lbw.stages import perception_stages
    perception_stages(load_config("configs/push.yaml"))  # {"keypoints": …, "translator": …}

Layout (``ROOT`` = ``config.root``):

    ROOT/TASK/stages/data_robot-<hash>.npz          unpaired frames, shared by every run
    ROOT/TASK/stages/translator_munit-<hash>/       translator.pt, snapshots/, log.jsonl, samples/,
                                                    stage.json, selection-<detector>.json
    ROOT/TASK/stages/keypoints-<hash>/              transporter.pt, log.jsonl, samples/, stage.json

Building and caching a stage: ``lbw.stages.build``; which translator checkpoint a run uses:
``lbw.stages.choice``. A checkpoint the config names (``keypoints.checkpoint``,
``translator.checkpoint``) replaces its stage.
"""

from __future__ import annotations

from pathlib import Path

from lbw.config import RunConfig
from lbw.stages.build import (
    STAGE_FILE,
    built_stage,
    cached_frames,
    data_path,
    data_stage,
    frames_config,
    given_checkpoint,
    keypoints_stage,
    keypoints_trainer,
    robot_pose_keypoints,
    selection_frames,
    stage_folder,
    stage_of,
    stage_record,
    translator_stage,
    translator_trainer,
)
from lbw.stages.choice import (
    alternatives_choice,
    clip_selection,
    configured_translator,
    consensus_checkpoint,
    snapshot_selection,
    trained_translator,
)

__all__ = [
    "STAGE_FILE",
    "alternatives_choice",
    "built_stage",
    "cached_frames",
    "clip_selection",
    "configured_perception",
    "configured_translator",
    "consensus_checkpoint",
    "data_path",
    "data_stage",
    "frames_config",
    "given_checkpoint",
    "keypoints_stage",
    "keypoints_trainer",
    "perception_stages",
    "robot_pose_keypoints",
    "selection_frames",
    "snapshot_selection",
    "stage_folder",
    "stage_of",
    "stage_record",
    "trained_translator",
    "translator_stage",
    "translator_trainer",
]


def perception_stages(config: RunConfig, progress: bool = True) -> dict[str, str]:
    """The checkpoints a run's method needs: ``{"keypoints": …, "translator": …}`` (or none)."""
    if not config.method_spec.perceives:
        return {}
    keypoints = given_checkpoint(config.keypoints.checkpoint) or keypoints_stage(config, progress)
    stages = {"keypoints": str(keypoints)}
    if config.translator_model:
        stages["translator"] = str(
            configured_translator(config, config.translator_model, keypoints, build=True, progress=progress)
        )
    return stages


def configured_perception(config: RunConfig, progress: bool = True) -> dict[str, Path]:
    """The perception models a config's runs use, where they exist, without training any:
    ``keypoints``, ``munit``, ``cyclegan`` → a checkpoint named in the config (the translator
    one for the method's translator) or a finished stage's (a translator's selected snapshot)."""
    keypoints = given_checkpoint(config.keypoints.checkpoint) or built_stage(config, "keypoints")
    if keypoints is None:
        return {}
    models = {"keypoints": keypoints}
    for model in ("munit", "cyclegan"):
        path = configured_translator(config, model, keypoints, build=False, progress=progress)
        if path is not None:
            models[model] = path
    return models
