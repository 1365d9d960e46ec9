"""Which translator checkpoint a run uses, chosen without paired data.

The config's named checkpoint (or, with ``translator.alternatives``, the one of them that
translates the run's clip), else the config's own training: its snapshot of smallest unpaired
keypoint gap among those that keep the pose on a round trip, across ``restarts`` trainings,
judged on held-out frames or on the run's clip (``select_on``), or a consensus of snapshots.
Each choice is kept as JSON beside what it chose from.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lbw.checkpoint import load_checkpoint
from lbw.config import RunConfig, config_hash
from lbw.files import held_lock, write_json
from lbw.stages.build import (
    built_stage,
    content_key,
    given_checkpoint,
    robot_pose_keypoints,
    selection_frames,
    translator_stage,
)

if TYPE_CHECKING:
    import numpy as np

    from lbw.keypoints.trainer import KeypointDetector


def configured_translator(
    config: RunConfig, model: str, keypoints: Path, build: bool, progress: bool
) -> Path | None:
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
    record = folder / f"selection-{content_key(keypoints)}.json"
    with held_lock(record):
        if not record.exists() or "round_trip_px" not in json.loads(record.read_text()):
            human, robot = (selection_frames(config, d, progress) for d in ("human", "robot"))
            candidates = sorted((folder / SNAPSHOTS).glob("*.pt")) or [translator]
            translators = {p.relative_to(folder).as_posix(): Translator.load(p) for p in candidates}
            detector = KeypointDetector.load(keypoints)
            robot_keypoints = robot_pose_keypoints(config, detector, progress, robot_frames=robot)
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
    record = trainings[0] / f"consensus-{content_key(keypoints)}-{len(trainings)}.json"
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
    record = first / f"clip-{content_key(config.demo_clip)}-{content_key(keypoints)}-{len(selections)}.json"
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

    named = config_hash(*(str(p) for p in checkpoints), *(content_key(p) for p in checkpoints))
    name = f"translator_choice-{content_key(config.demo_clip)}-{content_key(keypoints)}-{named}.json"

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
