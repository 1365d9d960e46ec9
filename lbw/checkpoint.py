"""Checkpoints: written atomically, loaded with errors that say what is wrong and where.

save_checkpoint(path, kind="transporter", config=asdict(cfg), state={...}, iteration=1200)
ckpt = load_checkpoint(path, kind="transporter")  # dict: kind, config, state, iteration, …
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from lbw.files import atomic_write

FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable, of another model or of another shape."""


def save_checkpoint(path: str | os.PathLike, kind: str, **content: Any) -> Path:
    """Write ``{"kind": kind, "format_version": …, **content}`` so that the file appears whole
    or not at all (an interrupted run never leaves a half-written checkpoint behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as partial:
        torch.save({"kind": kind, "format_version": FORMAT_VERSION, **content}, partial)
    return path


def load_checkpoint(path: str | os.PathLike, kind: str | tuple[str, ...]) -> dict[str, Any]:
    """Load a checkpoint of the given kind (or one of several kinds) onto the CPU."""
    kinds = (kind,) if isinstance(kind, str) else kind
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:
        raise CheckpointError(f"{path}: unreadable checkpoint ({error})") from error
    if not isinstance(checkpoint, dict) or "kind" not in checkpoint:
        raise CheckpointError(f"{path}: not an lbw checkpoint")
    if checkpoint["kind"] not in kinds:
        raise CheckpointError(f"{path}: a {checkpoint['kind']} checkpoint, expected {' or '.join(kinds)}")
    if checkpoint.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: format version {checkpoint.get('format_version')}, expected {FORMAT_VERSION}"
        )
    return checkpoint


def load_state(module: torch.nn.Module, state: dict[str, torch.Tensor], source: str | os.PathLike) -> None:
    """``module.load_state_dict`` with a ``CheckpointError`` that names the file on a mismatch."""
    try:
        module.load_state_dict(state)
    except RuntimeError as error:
        first = str(error).splitlines()[1:2] or [str(error)]
        raise CheckpointError(f"{source}: checkpoint does not fit the model ({first[0].strip()})") from error


def pick_device(device: str | None = None) -> torch.device:
    """``cuda`` when present, else the CPU (or what the caller asks for)."""
    if device:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_name(device: torch.device | None = None) -> str:
    """The processor that ``device`` (default: ``pick_device()``) names, in words: the GPU's
    model, or ``cpu``; stage records keep it beside their wall times."""
    device = device or pick_device()
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
