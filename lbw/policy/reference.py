"""The demonstration as a reference trajectory for the reward.

    z_demo = resample(to_unit(detector(frames), 64), length=61)  # (61, K, 2) in [-1, 1]

A demo is resampled in time to the env's episode (reset frame + one per step), so that step
t of an episode is compared with the demo at the same phase t/T.
"""

from __future__ import annotations

import numpy as np


def resample(trajectory: np.ndarray, length: int) -> np.ndarray:
    """Linear resampling along axis 0: (T, ...) → (length, ...), first and last kept."""
    if len(trajectory) == 0:
        raise ValueError("cannot resample an empty trajectory")
    if length < 1:
        raise ValueError(f"length must be ≥ 1, got {length}")
    source = np.linspace(0.0, 1.0, len(trajectory))
    target = np.linspace(0.0, 1.0, length)
    flat = trajectory.reshape(len(trajectory), -1).astype(np.float64)
    out = np.stack([np.interp(target, source, flat[:, i]) for i in range(flat.shape[1])], axis=1)
    return out.reshape(length, *trajectory.shape[1:]).astype(np.float32)


def resample_frames(frames: np.ndarray, length: int) -> np.ndarray:
    """Nearest-frame resampling of uint8 (T, H, W, 3) to ``length`` frames."""
    index = np.round(np.linspace(0, len(frames) - 1, length)).astype(int)
    return frames[index]


def to_unit(pixels: np.ndarray, image_size: int) -> np.ndarray:
    """Pixel (u, v) in [0, image_size] → [-1, 1] image coordinates."""
    return pixels / image_size * 2.0 - 1.0
