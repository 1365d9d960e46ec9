"""What every trainer in lbw shares: image tensors, run folders, logs and pictures.

Images travel as float tensors (B, 3, H, W) in [-1, 1]; frames on disk are uint8 (N, H, W, 3).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run a block with ``count`` torch CPU threads. Per-step inference on one frame and SAC's
    small MLPs are fastest on one thread: more only contend for the cores (measured 1.6 vs
    2.0 ms per keypoint frame on a busy 2-core machine)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# torch threads of every perception training: fixed, for reproducible weights (the same seed
# gives the same weights for the same count). LBW_TRAIN_THREADS=1 suits a training that shares
# the 2 cores with a policy run: two threads each on 2 cores run 3× slower, not 2×.
TRAIN_THREADS = int(os.environ.get("LBW_TRAIN_THREADS", "2"))


@contextmanager
def reproducible(seed: int, iteration: int = 0, threads: int = TRAIN_THREADS) -> Iterator[None]:
    """Run a training block so that the same seed gives the same weights on the same machine:
    torch's random stream seeded from (``seed``, ``iteration`` it starts at) and restored after,
    a fixed thread count (float sums are split by thread) and deterministic algorithms only."""
    threads_before = torch.get_num_threads()
    deterministic_before = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(np.random.SeedSequence([seed, iteration]).generate_state(1)[0]))
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(deterministic_before)
            torch.set_num_threads(threads_before)


class RunDirError(FileExistsError):
    """A run folder that holds results and was neither resumed nor released for overwriting."""


def to_tensor(frames: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 (N, H, W, 3) → float (N, 3, H, W) in [-1, 1]."""
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"frames must be (N, H, W, 3), got {frames.shape}")
    tensor = torch.from_numpy(np.ascontiguousarray(frames)).to(device)
    return tensor.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


def to_frames(images: torch.Tensor) -> np.ndarray:
    """float (N, 3, H, W) in [-1, 1] → uint8 (N, H, W, 3)."""
    frames = ((images.detach().float().clamp(-1, 1) + 1.0) * 127.5).round().byte()
    return frames.permute(0, 2, 3, 1).cpu().numpy()


def prepare_run_dir(path: str | os.PathLike, resume: bool = False, overwrite: bool = False) -> Path:
    """Create a run folder. An existing, non-empty one is an error unless ``resume`` (keep it
    and go on) or ``overwrite`` (start again from nothing) is given."""
    path = Path(path)
    if path.exists() and any(path.iterdir()) and not resume:
        if not overwrite:
            raise RunDirError(
                f"{path} already holds a run; pass --resume to go on or --overwrite to start again"
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


class JsonlLogger:
    """Appends one JSON object per line: ``{"iteration": …, "time_s": …, "train/loss": …}``.

    ``time_s`` is the training wall time so far; a resumed run's log goes on from the last line."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._start = time.perf_counter() - training_time_s(self.path)

    def log(self, iteration: int, values: dict[str, float]) -> None:
        record = {"iteration": iteration, "time_s": round(time.perf_counter() - self._start, 3), **values}
        with self.path.open("a") as f:
            f.write(json.dumps(record) + "\n")


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def training_time_s(log_path: str | os.PathLike) -> float:
    """Training wall time recorded in a run's ``log.jsonl`` (0 where there is none yet)."""
    path = Path(log_path)
    if not path.is_file():
        return 0.0
    records = read_jsonl(path)
    return float(records[-1]["time_s"]) if records else 0.0


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
