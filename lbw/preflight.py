"""Checks a run makes before any work, so that a bad input fails in seconds and writes nothing.

    from lbw.config import load_config
    from lbw.preflight import preflight
    state = preflight(load_config("configs/push.yaml"))  # "new" | "resume" | "finished", or raises

Config values are checked for type and range when the config is built (``lbw.config``);
``preflight`` adds what needs the file system: the run folder (``check_run_dir``), that the
output root is writable, that the clips open and hold a motion, and that the checkpoints a
config names are of the right model, the run's task and sizes that fit each other. After the
perception stages, ``check_run_clip`` runs ``lbw check-demo``'s checks on the demo clip
(``check_demo: warn | refuse | off`` in the config).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lbw.checkpoint import CheckpointError
from lbw.config import ConfigError, RunConfig
from lbw.files import write_json
from lbw.logs import check_tensorboard
from lbw.run_dir import check_run_dir
from lbw.video import VideoError, read_video

if TYPE_CHECKING:
    from lbw.evaluation.demo_check import DemoCheck

MIN_CLIP_FRAMES = 2  # a reference needs a start and an end
CHECK_FILE = "demo_check.json"


def preflight(config: RunConfig, resume: bool = False, overwrite: bool = False) -> str:
    """Every check that needs no training, in seconds; returns ``check_run_dir``'s state."""
    state = check_run_dir(config, resume, overwrite)
    check_writable(config.run_dir)
    for clip in clips_of(config):
        check_clip_file(clip)
    check_checkpoints(config)
    if config.tensorboard:
        check_tensorboard()
    return state


def clips_of(config: RunConfig) -> list[Path]:
    """The clips a run reads: the one it rewards against, and the human clip its evaluation
    videos show."""
    clips = [config.reward_clip] if config.reward_clip is not None else []
    if config.demo_clip not in clips and config.eval.record > 0:
        clips.append(config.demo_clip)
    return clips


def check_writable(path: Path) -> None:
    """The nearest existing folder above ``path`` must be a writable folder."""
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"root: cannot write {path} ({existing} is not a writable folder)")


def check_clip_file(path: Path) -> None:
    """The clip opens and has frames enough for a reference (``VideoError`` otherwise)."""
    frames = read_video(path)
    if len(frames) < MIN_CLIP_FRAMES:
        raise VideoError(f"{path}: {len(frames)} frame; a demonstration needs at least {MIN_CLIP_FRAMES}")


def check_checkpoints(config: RunConfig) -> None:
    """The checkpoints the config names, loaded as the run will load them: of the model the
    method needs, of the run's task (where the checkpoint recorded it) and of sizes that fit
    each other and the config."""
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator

    if not config.method_spec.perceives:
        return
    sizes = {}
    if path := config.keypoints.checkpoint:
        detector = KeypointDetector.load(path)
        _check_task(config, f"keypoints.checkpoint {path}", detector.task)
        if detector.num_keypoints != config.keypoints.num_keypoints:
            raise ConfigError(
                f"keypoints.checkpoint {path} finds {detector.num_keypoints} keypoints, the config "
                f"says keypoints.num_keypoints={config.keypoints.num_keypoints}"
            )
        sizes["keypoints.checkpoint"] = detector.image_size
    if (path := config.translator.checkpoint) and config.translator_model:
        kinds = set()
        for i, each in enumerate([path, *config.translator.alternatives]):
            key = f"translator.alternatives[{i - 1}]" if i else "translator.checkpoint"
            translator = Translator.load(each)
            _check_task(config, f"{key} {each}", translator.task)
            sizes[key] = translator.image_size
            kinds.add(translator.kind)
        if len(kinds) > 1:
            raise CheckpointError(
                "translator.alternatives must be of translator.checkpoint's model, got "
                + " and ".join(sorted(kinds))
            )
    if len(set(sizes.values())) > 1:
        raise CheckpointError(
            "the checkpoints see frames of different sizes: "
            + ", ".join(f"{key} {size}×{size}" for key, size in sizes.items())
        )


def _check_task(config: RunConfig, what: str, task: str | None) -> None:
    if task is not None and task != config.task:
        raise CheckpointError(f"{what} was trained on {task}, not on this run's task {config.task}")


def check_run_clip(config: RunConfig, stages: dict[str, str], progress: bool = True) -> DemoCheck | None:
    """``lbw check-demo``'s checks on the run's clip with the run's models, against the robot
    frames translator selection uses; written to ``RUN/demo_check.json``. With warnings:
    ``check_demo: warn`` prints them, ``refuse`` raises (before the policy trains). None for
    a method that does not translate its clip, or ``check_demo: off``."""
    from lbw.demo import DemoError
    from lbw.evaluation.demo_check import check_clip
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator

    if config.check_demo == "off" or config.translator_model is None:
        return None
    detector = KeypointDetector.load(stages["keypoints"])
    translator = Translator.load(stages["translator"])
    report, _, _ = check_clip(read_video(config.demo_clip), config, detector, translator, progress)
    write_json(config.run_dir / CHECK_FILE, {"clip": str(config.demo_clip), **stages, **report.to_json()})
    if report.warnings:
        lines = "\n  ".join(report.warnings)
        if config.check_demo == "refuse":
            raise DemoError(
                f"{config.demo_clip} does not look like a {config.task} demonstration these models can "
                f"read:\n  {lines}\n(`lbw check-demo {config.demo_clip} --task {config.task}` writes an "
                "overlay video; set check_demo=warn to train on it anyway)"
            )
        print(f"warning: {config.demo_clip}:\n  {lines}", file=sys.stderr)
    return report
