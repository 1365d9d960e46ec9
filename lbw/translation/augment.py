"""Colour jitter of human frames while a translator trains, so that its human-side encoder
keys on shape and motion rather than on the colours of the people and rooms it saw.

    x_a = jitter_colours(x_a, strength=0.5, rng=rng)   # (B, 3, H, W) in [-1, 1], same shape

Each frame gets its own hue rotation (about the grey axis of RGB, uniform in ±180°·strength)
and brightness factor (uniform in [1 − strength / 2, 1 + strength / 2]). Only the human
domain is jittered: the robot frames are what translations must look like.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def hue_rotation(angles: torch.Tensor) -> torch.Tensor:
    """RGB matrices (B, 3, 3) rotating colours by ``angles`` (B,) rad about the grey axis
    (1, 1, 1)/√3: greys stay, hues turn, brightness is kept (Rodrigues' formula)."""
    like = {"dtype": angles.dtype, "device": angles.device}
    # The axis's cross-product matrix and outer product, for the unit axis (1, 1, 1)/√3.
    cross = torch.tensor([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]], **like) / math.sqrt(3.0)
    outer = torch.full((3, 3), 1.0 / 3.0, **like)
    eye = torch.eye(3, **like)
    cos, sin = angles.cos()[:, None, None], angles.sin()[:, None, None]
    return cos * eye + sin * cross + (1.0 - cos) * outer


def jitter_colours(frames: torch.Tensor, strength: float, rng: np.random.Generator) -> torch.Tensor:
    """Frames (B, 3, H, W) in [-1, 1] with a random hue rotation and brightness factor each
    (module docstring), clipped to [-1, 1]; ``strength`` 0 returns them unchanged and draws
    nothing from ``rng``."""
    if strength <= 0:
        return frames
    count = len(frames)
    angles = torch.as_tensor(rng.uniform(-math.pi, math.pi, count) * strength, dtype=frames.dtype)
    scale = torch.as_tensor(1.0 + strength * rng.uniform(-0.5, 0.5, count), dtype=frames.dtype)
    rotation = hue_rotation(angles.to(frames.device))
    unit = (frames + 1.0) / 2.0  # [0, 1] RGB
    turned = torch.einsum("bij,bjhw->bihw", rotation, unit) * scale.to(frames.device)[:, None, None, None]
    return turned.clamp(0.0, 1.0) * 2.0 - 1.0
