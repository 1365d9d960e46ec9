"""The perception stages every run of a task shares: data → translator → keypoints, built once.

    from lbw.config import load_config
    from lbw.stages import perception_stages
    perception_stages(load_config("configs/push.yaml"))  # {"keypoints": …, "translator": …}

Layout (``ROOT`` = ``config.root``):

    ROOT/TASK/stages/data_robot-<hash>.npz          unpaired frames, shared by every run
    ROOT/TASK/stages/translator_munit-<hash>/       translator.pt, snapshots/, log.jsonl, samples/,
                                                    stage.json, selection-<detector>.json
    ROOT/TASK/stages/keypoints-<hash>/              transporter.pt, log.jsonl, samples/, stage.json

A stage is named by the hash of its config and of its inputs, so it is reused whenever they are
unchanged (and by concurrent runs: a lock makes the second wait for the first). A stage folder
without ``stage.json`` is unfinished and is resumed. A checkpoint the config names
(``keypoints.checkpoint``, ``translator.checkpoint``) replaces its stage.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lbw import envs
from lbw.checkpoint import CheckpointError, device_name, load_checkpoint
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
            parts.append(_file_key(keypoints))
        key = config_hash(*parts)
    return Path(config.root) / config.task / "stages" / f"{name}-{key}"


def _file_key(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:10]


def stage_record(folder: Path) -> dict[str, Any]:
    """The ``stage.json`` of a finished stage folder: what it was built from and how long it took."""
    return json.loads((folder / STAGE_FILE).read_text())


def stage_of(checkpoint: str | os.PathLike) -> Path | None:
    """The finished stage folder that made a checkpoint (its folder, or a translator
    snapshot's), or None for a checkpoint made elsewhere (``models/``)."""
    folders = Path(checkpoint).parents[:2]
    return next((f for f in folders if (f / STAGE_FILE).exists()), None)


def configured_perception(config: RunConfig, progress: bool = True) -> dict[str, Path]:
    """The perception models a config's runs use, where they exist, without training any:
    ``keypoints``, ``munit``, ``cyclegan`` → a checkpoint named in the config (the translator
    one for the method's translator) or a finished stage's (a translator's selected snapshot)."""
    keypoints = given_checkpoint(config.keypoints.checkpoint) or built_stage(config, "keypoints")
    if keypoints is None:
        return {}
    models = {"keypoints": keypoints}
    for model in ("munit", "cyclegan"):
        if (path := _translator(config, model, keypoints, build=False, progress=progress)) is not None:
            models[model] = path
    return models


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


def snapshot_selection(
    config: RunConfig, translator: Path, keypoints: Path, progress: bool = True
) -> dict[str, Any]:
    """How the snapshot of a trained translator stage is chosen: the one with the smallest
    unpaired keypoint gap (``lbw.keypoints.gap.unpaired_keypoint_gap``) under this keypoint
    detector among those that keep the pose on a round trip (``choose_snapshot``), on frames of
    both embodiments collected with seed 2000 + data seed (used by nothing else). Returns
    ``{"keypoints", "gap_px": {snapshot: px}, "round_trip_px": {snapshot: px}, "selected":
    snapshot}`` (snapshots relative to the stage folder), kept there as
    ``selection-<detector hash>.json`` (a record from before the round trip is made again),
    with its picture ``selection-<detector hash>.png`` (``plot_snapshot_selection``)."""
    from lbw.keypoints.gap import (
        ROUND_TRIP_FRAMES,
        choose_snapshot,
        plot_snapshot_selection,
        round_trip_error,
        unpaired_keypoint_gap,
    )
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator
    from lbw.translation.base import SNAPSHOTS

    folder = translator.parent
    record = folder / f"selection-{_file_key(keypoints)}.json"
    with held_lock(record):
        if not record.exists() or "round_trip_px" not in json.loads(record.read_text()):
            human, robot = (selection_frames(config, d, progress) for d in ("human", "robot"))
            candidates = sorted((folder / SNAPSHOTS).glob("*.pt")) or [translator]
            translators = {p.relative_to(folder).as_posix(): Translator.load(p) for p in candidates}
            detector = KeypointDetector.load(keypoints)
            robot_keypoints = robot_pose_keypoints(config, detector, progress)  # for every candidate
            gaps = unpaired_keypoint_gap(detector, human, robot, translators, robot_keypoints)
            gaps = {name: gaps[name] for name in translators}
            trip = slice(ROUND_TRIP_FRAMES)
            trips = round_trip_error(
                detector, robot.frames[trip], translators, robot_keypoints=robot_keypoints[trip]
            )
            choice = {
                "keypoints": str(keypoints),
                "gap_px": gaps,
                "round_trip_px": trips,
                "selected": choose_snapshot(gaps, trips),
            }
            write_json(record, choice)
        choice = json.loads(record.read_text())
        if not (picture := record.with_suffix(".png")).exists():
            title = f"{config.task} {folder.name}: snapshot selection"
            plot_snapshot_selection(
                choice["gap_px"], choice["round_trip_px"], choice["selected"], picture, title
            )
    return choice


def trained_translator(
    config: RunConfig, model: str, keypoints: Path, build: bool = True, progress: bool = True
) -> Path | None:
    """The checkpoint of the config's own ``model`` translator training: its selected snapshot
    (its last checkpoint with ``select: false``); with ``restarts`` N, the snapshot with the
    smallest gap among the trainings with seeds ``seed`` … ``seed + N - 1`` (each its own
    stage, shared with a config of that seed); with ``select_on: clip``, the snapshot chosen on
    the config's demo clip (``clip_selection``); with ``consensus``, a consensus checkpoint of
    them all (``consensus_checkpoint``). Untrained stages are trained if ``build``, else the
    result is None."""
    c = config.translator
    selections: dict[Path, dict[str, Any]] = {}  # each training's folder → its snapshot selection
    trainings: list[Path] = []
    for seed in range(c.seed, c.seed + c.restarts):
        one = dataclasses.replace(config, translator=dataclasses.replace(c, seed=seed, restarts=1))
        path = (
            translator_stage(one, model, keypoints, progress)
            if build
            else built_stage(one, f"translator_{model}", keypoints)
        )
        if path is None:
            return None
        trainings.append(path.parent)
        if c.consensus:
            continue
        if not c.select:
            return path  # restarts > 1 needs select (TranslatorConfig.check)
        selections[path.parent] = snapshot_selection(one, path, keypoints, progress)
    if c.consensus:
        return consensus_checkpoint(trainings, keypoints, c.iterations)
    if c.select_on == "clip":
        return Path(clip_selection(config, selections, keypoints, progress)["selected"])
    gaps = {folder / s["selected"]: s["gap_px"][s["selected"]] for folder, s in selections.items()}
    return min(gaps, key=gaps.__getitem__)


def consensus_checkpoint(trainings: list[Path], keypoints: Path, iterations: int) -> Path:
    """``translator.consensus``: a consensus (``lbw.translation.consensus``) of the snapshots
    of the second half of every training (stage folders ``trainings``), judged by the detector
    at ``keypoints``; kept in the first training's folder as
    ``consensus-<detector hash>-<trainings>.json``."""
    from lbw.translation.base import SNAPSHOTS
    from lbw.translation.consensus import second_half, write_consensus

    members = [
        snapshot
        for folder in trainings
        for snapshot in second_half(sorted((folder / SNAPSHOTS).glob("iter_*.pt")), iterations)
    ]
    record = trainings[0] / f"consensus-{_file_key(keypoints)}-{len(trainings)}.json"
    with held_lock(record):
        if not record.exists():
            write_consensus(record, members, keypoints)
    return record


def clip_selection(
    config: RunConfig, selections: dict[Path, dict[str, Any]], keypoints: Path, progress: bool = True
) -> dict[str, Any]:
    """``translator.select_on: clip``: of the snapshots of every training (``selections``: stage
    folder → its ``snapshot_selection``) that keep the pose on the round trip, the one whose
    translation of the config's demo clip gives keypoints nearest the robot's in distribution:
    the clip's unpaired keypoint gap (``lbw.evaluation.demo_check.clip_gap``, what ``lbw
    check-demo`` reports), against the robot frames of ``selection_frames``. No paired clip and
    no ground truth: the clip's own frames judge the snapshots. Returns ``{"clip", "keypoints",
    "gap_px": {snapshot: px}, "selected": snapshot}`` (checkpoint paths), kept in the first
    training's folder as ``clip-<clip hash>-<detector hash>-<trainings>.json``."""
    from lbw.keypoints.gap import kept_on_round_trip

    first = next(iter(selections))
    record = first / f"clip-{_file_key(config.demo_clip)}-{_file_key(keypoints)}-{len(selections)}.json"
    snapshots = [
        folder / name
        for folder, selection in selections.items()
        for name in kept_on_round_trip(selection["round_trip_px"])
    ]

    def choose() -> dict[str, Any]:
        gaps = _clip_gaps(config, snapshots, *_robot_keypoints(config, keypoints, progress))
        choice = {"clip": str(config.demo_clip), "keypoints": str(keypoints), "gap_px": gaps}
        return {**choice, "selected": min(gaps, key=gaps.__getitem__)}

    return _recorded(record, choose)


def alternatives_choice(
    config: RunConfig, checkpoints: list[Path], keypoints: Path, progress: bool = True
) -> dict[str, Any]:
    """``translator.alternatives``: which of the named translator ``checkpoints`` (the config's
    ``translator.checkpoint`` first) translates the config's demo clip. The first, unless the
    clip check would flag its translation (``lbw.evaluation.demo_check``: the clip's unpaired
    keypoint gap over ``GAP_WARN`` times the task's paired robot clip's, a lost arm); then the one
    with the smallest gap. (Gaps a few per cent apart do not rank translators: the first is
    kept while it passes.) With no paired robot clip, the smallest gap. Returns ``{"clip",
    "keypoints", "gap_px": {checkpoint: px}, "reference_gap_px", "selected": checkpoint}``,
    kept in the task's stages folder as ``translator_choice-<clip>-<detector>-<checkpoints>.json``
    (hashes of their contents; the checkpoints' also of their paths)."""
    from lbw.evaluation.demo_check import clip_gap, gap_flagged
    from lbw.video import read_video

    named = config_hash(*(str(p) for p in checkpoints), *(_file_key(p) for p in checkpoints))
    name = f"translator_choice-{_file_key(config.demo_clip)}-{_file_key(keypoints)}-{named}.json"

    def choose() -> dict[str, Any]:
        detector, robot = _robot_keypoints(config, keypoints, progress)
        gaps = _clip_gaps(config, checkpoints, detector, robot)
        reference = None
        if (paired := config.robot_demo_clip).exists():
            reference = round(clip_gap(detector(read_video(paired, size=detector.image_size)), robot), 3)
        first = str(checkpoints[0])
        kept = reference is not None and not gap_flagged(gaps[first], reference)
        selected = first if kept else min(gaps, key=gaps.__getitem__)
        choice = {"clip": str(config.demo_clip), "keypoints": str(keypoints), "gap_px": gaps}
        return {**choice, "reference_gap_px": reference, "selected": selected}

    return _recorded(Path(config.root) / config.task / "stages" / name, choose)


def _recorded(record: Path, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The JSON at ``record``, written by ``make`` first if it does not exist (under a lock)."""
    with held_lock(record):
        if not record.exists():
            write_json(record, make())
    return json.loads(record.read_text())


def _robot_keypoints(
    config: RunConfig, keypoints: Path, progress: bool
) -> tuple[KeypointDetector, np.ndarray]:
    """The detector at ``keypoints`` and its ``robot_pose_keypoints``."""
    from lbw.keypoints.trainer import KeypointDetector

    detector = KeypointDetector.load(keypoints)
    return detector, robot_pose_keypoints(config, detector, progress)


_POSE_KEYPOINTS: dict[tuple[Any, ...], np.ndarray] = {}


def robot_pose_keypoints(config: RunConfig, detector: KeypointDetector, progress: bool = True) -> np.ndarray:
    """(N, K, 2) px keypoints under ``detector`` of the robot frames of ``selection_frames``:
    what a clip's translations are judged against (the clip check, ``alternatives_choice``) and
    the poses a demo snaps onto (``snap_to_robot``). Computed once per process for each
    detector's weights and frames: a run needs them up to three times. Read-only."""
    key = (str(data_path(_selection_data(config), "robot").resolve()), detector.fingerprint())
    if key not in _POSE_KEYPOINTS:
        keypoints = detector(selection_frames(config, "robot", progress).frames)
        keypoints.setflags(write=False)
        _POSE_KEYPOINTS[key] = keypoints
    return _POSE_KEYPOINTS[key]


def _clip_gaps(
    config: RunConfig, checkpoints: list[Path], detector: KeypointDetector, robot: np.ndarray
) -> dict[str, float]:
    """The config's demo clip's unpaired keypoint gap (px, ``demo_check.clip_gap``) through each
    translator checkpoint, against the (N, K, 2) ``robot`` keypoints."""
    from lbw.evaluation.demo_check import clip_gap
    from lbw.translation import Translator
    from lbw.video import read_video, resize

    frames = resize(read_video(config.demo_clip), detector.image_size)
    return {
        str(path): round(clip_gap(detector(Translator.load(path)(frames)), robot), 3) for path in checkpoints
    }


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


def perception_stages(config: RunConfig, progress: bool = True) -> dict[str, str]:
    """The checkpoints a run's method needs: ``{"keypoints": …, "translator": …}`` (or none)."""
    if not config.method_spec.perceives:
        return {}
    keypoints = given_checkpoint(config.keypoints.checkpoint) or keypoints_stage(config, progress)
    stages = {"keypoints": str(keypoints)}
    if config.translator_model:
        stages["translator"] = str(
            _translator(config, config.translator_model, keypoints, build=True, progress=progress)
        )
    return stages


def _translator(config: RunConfig, model: str, keypoints: Path, build: bool, progress: bool) -> Path | None:
    """The ``model`` translator a config's runs use: the checkpoint the config names (when it
    is the method's own translator and of that model; with ``alternatives``, the one of them all
    chosen on the demo clip, ``alternatives_choice``), else the stage's selected snapshot (or
    its last checkpoint with ``select: false``); the stage is trained first if ``build``, else
    None if it is not built."""
    if config.translator_model == model and (given := given_checkpoint(config.translator.checkpoint)):
        kind = load_checkpoint(given, ("munit", "cyclegan"))["kind"]
        if kind == model:
            if not config.translator.alternatives:
                return given
            others = [given_checkpoint(p) for p in config.translator.alternatives]
            choice = alternatives_choice(config, [given, *others], keypoints, progress)
            if (selected := choice["selected"]) != str(given):
                gaps, reference = choice["gap_px"], choice["reference_gap_px"]
                against = "" if reference is None else f", the paired robot clip's {reference:.1f}"
                print(
                    f"translator.checkpoint {given} may lose the arm in {config.demo_clip} (unpaired "
                    f"gap {gaps[str(given)]:.1f} px{against}); translating it with the alternative "
                    f"{selected} ({gaps[selected]:.1f} px)",
                    file=sys.stderr,
                )
            return Path(selected)
        # A shipped MUNIT named by the task's config cannot serve lbw_cyclegan: say so, use its own.
        print(
            f"translator.checkpoint {given} is a {kind} translator; method {config.method} uses "
            f"the task's {model} translator stage instead",
            file=sys.stderr,
        )
    return trained_translator(config, model, keypoints, build, progress)


def given_checkpoint(checkpoint: str | None) -> Path | None:
    """A checkpoint the config names instead of a stage to build; it must exist."""
    if checkpoint is None:
        return None
    if not Path(checkpoint).is_file():
        raise CheckpointError(f"{checkpoint}: no such checkpoint")
    return Path(checkpoint)
