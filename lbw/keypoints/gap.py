"""The unpaired keypoint gap: how far, in distribution, the keypoints of translated human frames
lie from the robot's (px). It picks translator snapshots (``lbw.stages``) and checks demo clips
(``lbw.evaluation.demo_check``) without paired ground truth.

    gaps = unpaired_keypoint_gap(detector, human_frames, robot_frames, {"munit": translator})
    gaps["munit"], gaps["no_translation"], gaps["robot_halves"]   # px; the last is the floor

A distribution says nothing of whether a translation keeps *this* frame's pose: a snapshot
that draws plausible robot poses unrelated to the human's can score well. The round trip
(robot → human → robot, frame by frame) does, and guards the choice of snapshot:

    trips = round_trip_error(detector, robot_frames, {"iter_004000": translator})   # px
    choose_snapshot(gaps, trips)    # the smallest gap among snapshots that keep the pose
    plot_snapshot_selection(gaps, trips, "iter_004000", "selection.png")  # both per update
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lbw.dataset import FrameDataset
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator


def frechet_distance(x: np.ndarray, y: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to samples x (N, D) and y (M, D), in their
    units (the square root of FID's squared form)."""
    gap = x.mean(axis=0) - y.mean(axis=0)
    cov_x, cov_y = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    # tr √(Σx Σy) from eigenvalues: Σx Σy is similar to a PSD matrix, so they are real and ≥ 0.
    root_trace = np.sqrt(np.clip(np.linalg.eigvals(cov_x @ cov_y).real, 0.0, None)).sum()
    squared = gap @ gap + np.trace(cov_x) + np.trace(cov_y) - 2.0 * root_trace
    return float(np.sqrt(max(squared, 0.0)))


def unpaired_keypoint_gap(
    detector: KeypointDetector,
    human: FrameDataset,
    robot: FrameDataset,
    translators: dict[str, Translator],
    robot_keypoints: np.ndarray | None = None,
) -> dict[str, float]:
    """Fréchet distance (px) of keypoints (flattened to K·2) between robot frames and, per
    method, the human frames translated (each translator, ``"no_translation"``); and
    ``"robot_halves"``: between the two halves of the robot frames, the floor sampling sets.
    ``robot_keypoints``: the detector's (N, K, 2) keypoints of the robot frames, if known."""
    if robot_keypoints is None:
        robot_keypoints = detector(robot.frames)
    reference = robot_keypoints.reshape(len(robot.frames), -1)
    half = len(reference) // 2
    gaps = {"robot_halves": frechet_distance(reference[:half], reference[half:])}
    methods = {"no_translation": lambda frames: frames, **translators}
    for name, translate in methods.items():
        keypoints = detector(translate(human.frames)).reshape(len(human.frames), -1)
        gaps[name] = frechet_distance(keypoints, reference)
    return gaps


# A snapshot whose round trip is more than this many times the stage's best is not chosen.
# Measured on three MUNIT trainings: the early snapshots that lose the pose came to 1.9–2.6×
# the best, the later ones within 1.35× (docs/demonstrators.md, snapshot choice).
ROUND_TRIP_TOLERANCE = 1.5
ROUND_TRIP_FRAMES = 500  # robot frames a selection round-trips (500 told the snapshots apart by 2×)


def round_trip_error(
    detector: KeypointDetector,
    robot: np.ndarray,
    translators: dict[str, Translator],
    seed: int = 0,
    robot_keypoints: np.ndarray | None = None,
) -> dict[str, float | None]:
    """Per translator, the mean keypoint distance (px) between uint8 robot frames (N, H, W, 3)
    and the same frames translated to the human domain (a random human style each, seeded) and
    back; None for a translator that cannot translate back. ``robot_keypoints``: the
    detector's (N, K, 2) keypoints of ``robot``, if known."""
    truth = detector(robot) if robot_keypoints is None else robot_keypoints
    errors: dict[str, float | None] = {}
    for name, translator in translators.items():
        back = translator.round_trip(robot, seed)
        errors[name] = None if back is None else float(np.linalg.norm(detector(back) - truth, axis=-1).mean())
    return errors


def kept_on_round_trip(
    round_trips: Mapping[str, float | None], tolerance: float = ROUND_TRIP_TOLERANCE
) -> list[str]:
    """The snapshots whose round-trip error is within ``tolerance`` × the smallest one (all of
    them where a round trip is missing): those that keep the pose."""
    if any(trip is None for trip in round_trips.values()):
        return list(round_trips)
    best = min(round_trips.values())
    return [name for name, trip in round_trips.items() if trip <= tolerance * best]


def choose_snapshot(
    gaps: Mapping[str, float],
    round_trips: Mapping[str, float | None],
    tolerance: float = ROUND_TRIP_TOLERANCE,
) -> str:
    """The snapshot with the smallest gap among those ``kept_on_round_trip``."""
    kept = kept_on_round_trip({name: round_trips.get(name) for name in gaps}, tolerance)
    return min(kept, key=gaps.__getitem__)


def plot_snapshot_selection(
    gaps: Mapping[str, float],
    round_trips: Mapping[str, float | None],
    selected: str,
    path: str | os.PathLike,
    title: str = "",
) -> None:
    """Plot the unpaired gap and the round-trip error (px) of each snapshot against its
    training update (the digits of its name), the selected one ringed: whether training was
    still improving when it stopped, and what the round trip ruled out."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lbw.files import save_figure

    names = sorted(gaps, key=_update)
    updates = [_update(name) for name in names]
    figure, axis = plt.subplots(figsize=(5.2, 3.2))
    axis.plot(updates, [gaps[n] for n in names], "o-", c="tab:blue", ms=4, label="unpaired keypoint gap")
    trips = [(u, round_trips.get(n)) for u, n in zip(updates, names, strict=True)]
    trips = [(u, trip) for u, trip in trips if trip is not None]
    if trips:
        axis.plot(*np.array(trips).T, "s--", c="tab:orange", ms=4, label="round-trip error")
    axis.scatter(
        [_update(selected)],
        [gaps[selected]],
        s=140,
        facecolors="none",
        edgecolors="k",
        label=f"selected ({selected.rsplit('/', 1)[-1]})",
    )
    axis.set(xlabel="translator updates", ylabel="px", title=title or "snapshot selection")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)


def _update(name: str) -> int:
    """The training update of a snapshot named like ``snapshots/iter_004000.pt`` (0 if none)."""
    digits = re.findall(r"\d+", name.rsplit("/", 1)[-1])
    return int(digits[-1]) if digits else 0
