"""Files that appear whole or not at all, folders never overwritten silently, JSON-lines logs.

    with atomic_write(Path("runs/x/model.pt")) as partial:
        torch.save(state, partial)  # written beside the target, then renamed over it

An interrupted run never leaves a half-written checkpoint, dataset, clip or JSON record behind
(``write_json``); JSON-lines logs (``JsonlLogger``) are appended to instead. A folder holding a
run is reused only when resumed, replaced only when told (``prepare_run_dir``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
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


@contextmanager
def held_lock(path: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``path.lock`` for the block, so that two processes never build
    or train the same thing at once. Held elsewhere: wait for it (saying so), or with ``wait=False``
    raise ``BlockingIOError``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            print(f"waiting for another process to finish {path}", file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save_figure(figure: Any, path: str | os.PathLike, dpi: int = 100) -> None:
    """``figure.savefig``, whole or not at all (matplotlib goes by the kept suffix)."""
    with atomic_write(path) as partial:
        figure.savefig(partial, dpi=dpi)


class RunDirError(FileExistsError):
    """A run folder that holds results and was neither resumed nor released for overwriting."""


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
