"""Files that appear whole or not at all.

    with atomic_write(Path("runs/x/model.pt")) as partial:
        torch.save(state, partial)  # written beside the target, then renamed over it

An interrupted run never leaves a half-written checkpoint, dataset, clip or log behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a hidden path beside ``path`` (``.STEM.partial.SUFFIX``: the same suffix, which
    writers such as numpy, imageio and stable-baselines3 go by); on success rename it to ``path``
    (atomic on one file system), and on failure delete it."""
    path = Path(path)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
