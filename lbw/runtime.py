"""How training uses the machine and torch: thread counts, reproducible seeding, image tensors.

    with reproducible(seed=0, iteration=0):   # same seed → same weights on the same machine
        loss = model(to_tensor(frames)).mean()

Images travel as float tensors (B, 3, H, W) in [-1, 1]; frames on disk are uint8 (N, H, W, 3).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

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
