"""The unpaired keypoint gap: how far, in distribution, the keypoints of translated human frames
lie from the robot's (px). It picks translator snapshots (``lbw.stages``) and checks demo clips
(``lbw.evaluation.demo_check``) without paired ground truth.

    gaps = unpaired_keypoint_gap(detector, human_frames, robot_frames, {"munit": translator})
    gaps["munit"], gaps["no_translation"], gaps["robot_halves"]   # px; the last is the floor
"""

from __future__ import annotations

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
) -> dict[str, float]:
    """Fréchet distance (px) of keypoints (flattened to K·2) between robot frames and, per
    method, the human frames translated (each translator, ``"no_translation"``); and
    ``"robot_halves"``: between the two halves of the robot frames, the floor sampling sets."""
    reference = detector(robot.frames).reshape(len(robot.frames), -1)
    half = len(reference) // 2
    gaps = {"robot_halves": frechet_distance(reference[:half], reference[half:])}
    methods = {"no_translation": lambda frames: frames, **translators}
    for name, translate in methods.items():
        keypoints = detector(translate(human.frames)).reshape(len(human.frames), -1)
        gaps[name] = frechet_distance(keypoints, reference)
    return gaps
