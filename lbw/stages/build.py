"""Building the perception stages: unpaired frames and trained models, each built once.

A stage is named by the hash of its config and of its inputs, so it is reused whenever they are
unchanged (and by concurrent runs: a lock makes the second wait for the first). A stage folder
without ``stage.json`` is unfinished and is resumed. Which of a trained translator's snapshots a
run uses is ``lbw.stages.choice``'s business.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lbw import envs
from lbw.checkpoint import CheckpointError, device_name
from lbw.config import DataConfig, KeypointsConfig, RunConfig, TranslatorConfig, config_hash
from lbw.envs.appearance import VARIED
from lbw.envs.embodiment import EMBODIMENTS
from lbw.files import held_lock, write_json
from lbw.runtime import TRAIN_THREADS

if TYPE_CHECKING:
    import numpy as np

    from lbw.dataset import FrameDataset
    from lbw.keypoints.trainer import KeypointDetector, TransporterTrainer
    from lbw.translation.base import TranslatorTrainer


STAGE_FILE = "stage.json"


def _shared_stage(folder: Path, record: dict[str, Any], build: Callable[[bool], None]) -> Path:
    """Build a shared stage folder once: ``build(resume)`` runs unless ``stage.json`` exists."""
    with held_lock(folder):
        if (folder / STAGE_FILE).exists():
            return folder
        start = time.perf_counter()
        build(folder.exists())
        record = {**record, "build_wall_time_s": round(time.perf_counter() - start, 1)}
        write_json(folder / STAGE_FILE, record)
    return folder


# Keys added after stages were trained, left out of a stage's name at these values (what
# training did before they existed), so that those stages keep being found.
_ADDED_KEYS = {"colour_jitter": 0.0, "quiet_demos": 0.0, "starts": "default"}


def _named_keys(section: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A config section's keys that name its stage: all but ``leave_out``, and the
    ``_ADDED_KEYS`` at their old values."""
    return {
        k: v for k, v in section.__dict__.items() if k not in leave_out and _ADDED_KEYS.get(k, object()) != v
    }


def _training_keys(section: Any) -> dict[str, Any]:
    """What a model stage is trained from: its section without ``checkpoint`` (and the
    translator's ``alternatives``, ``select``, ``select_on``, ``restarts`` and ``consensus``,
    which choose among or combine what training made)."""
    leave_out = ("checkpoint", "alternatives", "select", "select_on", "restarts", "consensus")
    return _named_keys(section, leave_out)


def data_path(config: RunConfig, domain: str) -> Path:
    """Where a run's dataset of one embodiment is cached: named by the data config and the
    looks of the embodiment, the task and the human range set (their versions), so a changed
    look makes a new dataset."""
    look = (EMBODIMENTS[domain].version, envs.task_class(config.task).LOOK_VERSION)
    ranges = VARIED.get(config.data.human_appearance) if domain == "human" else None
    if ranges is not None and ranges.version > 1:  # a range set changed since: its old frames go
        look += (ranges.version,)
    # the robot has one look: its frames (and keypoints) stay shared across human looks
    data = _named_keys(config.data, () if domain == "human" else ("human_appearance",))
    key = config_hash("data", config.task, domain, data, look)
    return Path(config.root) / config.task / "stages" / f"data_{domain}-{key}.npz"


def data_stage(config: RunConfig, domain: str, progress: bool = True) -> Path:
    """The unpaired frame dataset of one embodiment (``lbw collect``)."""
    from lbw.dataset import collect_frames

    path = data_path(config, domain)
    with held_lock(path):
        if not path.exists():
            data = collect_frames(
                config.task,
                domain,
                config.data.frames,
                seed=config.data.seed,
                progress=progress,
                appearance=config.data.human_appearance,
                quiet_demos=config.data.quiet_demos,
                starts=config.data.starts,
            )
            data.save(path)
    return path


def cached_frames(
    task: str,
    domain: str,
    frames: int,
    seed: int,
    root: str = "runs",
    progress: bool = True,
    appearance: str = "varied",
) -> FrameDataset:
    """``frames`` frames of one embodiment collected with ``seed`` (human ones in
    ``appearance``, see ``DataConfig``), from (or first into) the look-keyed cache `lbw run`
    keeps in ROOT/TASK/stages/."""
    from lbw.dataset import load_frames

    return load_frames(data_stage(frames_config(task, frames, seed, root, appearance), domain, progress))


def frames_config(
    task: str, frames: int, seed: int, root: str = "runs", appearance: str = "varied"
) -> RunConfig:
    """A config whose data are ``frames`` frames of ``task`` collected with ``seed``."""
    data = DataConfig(frames=frames, seed=seed, human_appearance=appearance)
    return RunConfig(task=task, root=root, data=data)


def stage_folder(config: RunConfig, name: str, keypoints: Path | None = None) -> Path:
    """The folder of a shared model stage (``keypoints``, ``translator_munit`` or
    ``translator_cyclegan``), named by a hash of its training config and its datasets (and of
    the keypoint detector a translator's keypoint prior trains against)."""
    robot = data_path(config, "robot").name
    if name == "keypoints":
        key = config_hash("keypoints", robot, _training_keys(config.keypoints))
    else:
        model = name.removeprefix("translator_")
        human = data_path(config, "human").name
        parts = ["translator", model, human, robot, _training_keys(config.translator)]
        if config.translator.keypoint_prior > 0:
            if keypoints is None:
                raise ValueError("a translator with a keypoint prior needs its keypoint detector")
            parts.append(content_key(keypoints))
        key = config_hash(*parts)
    return Path(config.root) / config.task / "stages" / f"{name}-{key}"


def content_key(path: Path) -> str:
    """A short hash of a file's bytes: what names the stages and choices made from it."""
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:10]


def stage_record(folder: Path) -> dict[str, Any]:
    """The ``stage.json`` of a finished stage folder: what it was built from and how long it took."""
    return json.loads((folder / STAGE_FILE).read_text())


def stage_of(checkpoint: str | os.PathLike) -> Path | None:
    """The finished stage folder that made a checkpoint (its folder, or a translator
    snapshot's), or None for a checkpoint made elsewhere (``models/``)."""
    folders = Path(checkpoint).parents[:2]
    return next((f for f in folders if (f / STAGE_FILE).exists()), None)


def built_stage(config: RunConfig, name: str, keypoints: Path | None = None) -> Path | None:
    """The checkpoint of a finished shared stage (see ``stage_folder``), or None."""
    folder = stage_folder(config, name, keypoints)
    if not (folder / STAGE_FILE).exists():
        return None
    return folder / ("transporter.pt" if name == "keypoints" else "translator.pt")


def translator_trainer(
    model: str,
    c: TranslatorConfig,
    task: str | None,
    device: str | None = None,
    keypoints: str | os.PathLike | None = None,
) -> TranslatorTrainer:
    """A fresh ``munit`` or ``cyclegan`` trainer for the translator section of a config, on
    ``task``'s frames (recorded in its checkpoints); with ``c.keypoint_prior`` > 0 it trains
    against the keypoints of the detector at ``keypoints``."""
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import TranslatorTrainConfig, trainer_class

    trainer_type = trainer_class(model)
    train = TranslatorTrainConfig(
        iterations=c.iterations,
        batch_size=c.batch_size,
        seed=c.seed,
        task=task,
        colour_jitter=c.colour_jitter,
    )
    trainer = trainer_type(trainer_type.config_type(width=c.width), train, device=device)
    if c.keypoint_prior > 0:
        if keypoints is None:
            raise CheckpointError("translator.keypoint_prior needs a keypoint detector (a transporter.pt)")
        trainer.attach_keypoint_prior(KeypointDetector.load(keypoints).model, c.keypoint_prior)
    return trainer


def keypoints_trainer(c: KeypointsConfig, task: str | None, device: str | None = None) -> TransporterTrainer:
    """A fresh Transporter trainer for the keypoints section of a config, on ``task``'s frames."""
    from lbw.keypoints.trainer import TransporterTrainConfig, TransporterTrainer
    from lbw.keypoints.transporter import TransporterConfig

    model = TransporterConfig(num_keypoints=c.num_keypoints, width=c.width)
    train = TransporterTrainConfig(
        model=model, iterations=c.iterations, batch_size=c.batch_size, seed=c.seed, task=task
    )
    return TransporterTrainer(train, device=device)


def translator_stage(config: RunConfig, model: str, keypoints: Path, progress: bool = True) -> Path:
    """A human → robot translator (``lbw train-translator``); returns its checkpoint.
    ``keypoints``: the detector its keypoint prior trains against (when it has one)."""
    from lbw.dataset import load_frames

    human, robot = data_stage(config, "human", progress), data_stage(config, "robot", progress)
    c = config.translator
    folder = stage_folder(config, f"translator_{model}", keypoints)

    def build(resume: bool) -> None:
        trainer = translator_trainer(
            model, c, config.task, keypoints=keypoints if c.keypoint_prior > 0 else None
        )
        trainer.train(
            load_frames(human),
            load_frames(robot),
            folder,
            resume,
            progress=progress,
            tensorboard=config.tensorboard,
        )

    record = {
        "model": model,
        "human_data": human.name,
        "robot_data": robot.name,
        "config": _training_keys(c),
        "trained_on": device_name(),
        "threads": TRAIN_THREADS,
        **({"keypoint_prior_detector": str(keypoints)} if c.keypoint_prior > 0 else {}),
    }
    return _shared_stage(folder, record, build) / "translator.pt"


def keypoints_stage(config: RunConfig, progress: bool = True) -> Path:
    """The Transporter keypoint detector (``lbw train-keypoints``); returns its checkpoint."""
    from lbw.dataset import load_frames

    robot = data_stage(config, "robot", progress)
    c = config.keypoints
    folder = stage_folder(config, "keypoints")

    def build(resume: bool) -> None:
        trainer = keypoints_trainer(c, config.task)
        trainer.train(load_frames(robot), folder, resume, progress=progress, tensorboard=config.tensorboard)

    record = {
        "robot_data": robot.name,
        "config": _training_keys(c),
        "trained_on": device_name(),
        "threads": TRAIN_THREADS,
    }
    return _shared_stage(folder, record, build) / "transporter.pt"


_POSE_KEYPOINTS: dict[tuple[Any, ...], np.ndarray] = {}


def robot_pose_keypoints(
    config: RunConfig,
    detector: KeypointDetector,
    progress: bool = True,
    robot_frames: FrameDataset | None = None,
) -> np.ndarray:
    """(N, K, 2) px keypoints under ``detector`` of the robot frames of ``selection_frames``:
    what a clip's translations are judged against (the clip check, ``alternatives_choice``) and
    the poses a demo snaps onto (``snap_to_robot``). Computed once per process for each
    detector's weights and frames: a run needs them up to three times. Read-only.
    ``robot_frames``: those frames, where the caller has read them already."""
    key = (str(data_path(_selection_data(config), "robot").resolve()), detector.fingerprint())
    if key not in _POSE_KEYPOINTS:
        frames = robot_frames if robot_frames is not None else selection_frames(config, "robot", progress)
        keypoints = detector(frames.frames)
        keypoints.setflags(write=False)
        _POSE_KEYPOINTS[key] = keypoints
    return _POSE_KEYPOINTS[key]


def selection_frames(config: RunConfig, domain: str, progress: bool = True) -> FrameDataset:
    """Frames of one embodiment that no model trains on: they choose among trained models
    (translator snapshots, ``lbw.preflight.check_run_clip``) and hold the robot poses a demo
    snaps onto (``snap_to_robot``). A quarter of the data's count, collected with seed
    2000 + data seed, which no training set uses, human ones in the training's own looks
    (``data.human_appearance``): a snapshot that loses a look it was trained on must show it."""
    from lbw.dataset import load_frames

    return load_frames(data_stage(_selection_data(config), domain, progress))


def _selection_data(config: RunConfig) -> RunConfig:
    """A config whose data are ``config``'s selection frames (``selection_frames``)."""
    data = config.data
    seed, looks = 2000 + data.seed, data.human_appearance
    return frames_config(config.task, data.selection_frames, seed, config.root, looks)


def given_checkpoint(checkpoint: str | None) -> Path | None:
    """A checkpoint the config names instead of a stage to build; it must exist."""
    if checkpoint is None:
        return None
    if not Path(checkpoint).is_file():
        raise CheckpointError(f"{checkpoint}: no such checkpoint")
    return Path(checkpoint)
