"""A training's log: JSON lines always (``log.jsonl``, what reports and tests read), and
TensorBoard as well when a config asks for it (``tensorboard: true``: scalars and sample grids
in ``RUN_OR_STAGE/tensorboard/``; ``tensorboard --logdir runs`` shows every run and stage).

    log = TrainingLog(run_dir, tensorboard=True)
    log.scalars(iteration, {"train/gen_total": 0.8})
    log.image("samples", iteration, grid, run_dir / "samples" / "iter_000500.png")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import imageio.v3 as iio
import numpy as np

from lbw.files import JsonlLogger

TENSORBOARD = "tensorboard"  # the events folder inside a run or stage folder


def check_tensorboard() -> None:
    """A clear error, before any work, where TensorBoard is not installed."""
    from lbw.config import ConfigError

    try:
        import tensorboard  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "tensorboard: true needs the tensorboard package: pip install 'lbw[tensorboard]'"
        ) from error


def tensorboard_writer(folder: str | os.PathLike) -> Any:
    """torch's ``SummaryWriter`` on ``folder`` (``check_tensorboard``'s error without the package)."""
    check_tensorboard()
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(folder))


class TrainingLog:
    """``log.jsonl`` in ``run_dir`` (a resumed training appends to it), mirrored to TensorBoard
    when ``tensorboard``."""

    def __init__(self, run_dir: Path, tensorboard: bool = False) -> None:
        self.jsonl = JsonlLogger(run_dir / "log.jsonl")
        self.writer = tensorboard_writer(run_dir / TENSORBOARD) if tensorboard else None

    def scalars(self, iteration: int, values: dict[str, float]) -> None:
        self.jsonl.log(iteration, values)
        if self.writer is not None:
            for key, value in values.items():
                self.writer.add_scalar(key, value, iteration)

    def image(self, tag: str, iteration: int, image: np.ndarray, path: Path) -> None:
        """A uint8 (H, W, 3) picture written to ``path`` (and to TensorBoard under ``tag``)."""
        iio.imwrite(path, image)
        if self.writer is not None:
            self.writer.add_image(tag, image, iteration, dataformats="HWC")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
