"""Pictures of frames: keypoints drawn as coloured dots, captions, grids (uint8 H×W×3)."""

from __future__ import annotations

import cv2
import numpy as np

KEYPOINT_COLOURS = [
    (255, 60, 60),
    (60, 200, 255),
    (255, 220, 0),
    (120, 255, 120),
    (255, 120, 255),
    (255, 150, 40),
    (40, 90, 255),
    (200, 200, 200),
]


def draw_keypoints(frames: np.ndarray, pixels: np.ndarray, scale: int = 1) -> np.ndarray:
    """Frames uint8 (N, H, W, 3) with keypoints (N, K, 2) pixel (u, v) drawn as coloured dots,
    upscaled ``scale`` times first so the dots stay readable on 64-pixel frames."""
    out = []
    for frame, points in zip(frames, pixels, strict=True):
        big = (
            cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
            if scale > 1
            else frame
        )
        big = np.ascontiguousarray(big)
        for k, (u, v) in enumerate(points):
            if np.isfinite(u) and np.isfinite(v):
                colour = KEYPOINT_COLOURS[k % len(KEYPOINT_COLOURS)]
                cv2.circle(big, (int(u * scale), int(v * scale)), max(1, scale), colour, -1, cv2.LINE_AA)
        out.append(big)
    return np.stack(out)


def label_strip(text: str, width: int, height: int = 18) -> np.ndarray:
    """A white strip, uint8 (height, width, 3), with a line of dark text: a caption for pictures."""
    strip = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (4, height - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (30, 30, 30), 1, cv2.LINE_AA)
    return strip


def image_grid(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of frames, each uint8 (N, H, W, 3) with equal N, H, W → one uint8 image."""
    return np.concatenate([np.concatenate(list(row), axis=1) for row in rows], axis=0)
