"""Files that appear whole or not at all.

    with atomic_write(Path("runs/x/model.pt")) as partial:
        torch.save(state, partial)  # written beside the target, then renamed over it

An interrupted run never leaves a half-written checkpoint, dataset, clip or JSON record behind
(``write_json``); JSON-lines logs are appended to instead.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


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


def write_json(path: str | os.PathLike, content: Any) -> None:
    """Write ``content`` as indented JSON, whole or not at all (a stage's ``stage.json`` marks
    it finished, so a half-written one must never appear)."""
    write_text(path, json.dumps(content, indent=1))


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text``, whole or not at all: a report never replaces a good one with half of one."""
    with atomic_write(path) as partial:
        partial.write_text(text)


def copy_file(source: str | os.PathLike, path: str | os.PathLike) -> None:
    """Copy ``source`` to ``path``, which appears whole or not at all."""
    with atomic_write(path) as partial:
        shutil.copyfile(source, partial)


def save_figure(figure: Any, path: str | os.PathLike, dpi: int = 100) -> None:
    """``figure.savefig``, whole or not at all (matplotlib goes by the kept suffix)."""
    with atomic_write(path) as partial:
        figure.savefig(partial, dpi=dpi)
