"""Options shared by several commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from lbw.envs import TASKS


def task_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", choices=TASKS, default="push", help="task (default: push)")


def device_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")


def training_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    device_option(p)
    p.add_argument("--resume", action="store_true", help="go on from the run folder's checkpoint")
    p.add_argument("--overwrite", action="store_true", help="discard an existing run folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--image-size", type=int, default=64, help="frame side in pixels (default: 64)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")


def output_file(*suffixes: str) -> Callable[[str], str]:
    """An argparse ``type`` for an output file: its extension is checked when the command line
    is read, before any work (``--out x.avi`` is a usage error, not a failure after the work)."""

    def check(value: str) -> str:
        if Path(value).suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"{value!r}: the output must end in {' or '.join(suffixes)}")
        return value

    check.__name__ = "output file"  # argparse names the type in its message
    return check


def count(low: int) -> Callable[[str], int]:
    """An argparse ``type`` for an integer ≥ ``low``."""

    def check(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None
        if number < low:
            raise argparse.ArgumentTypeError(f"must be ≥ {low}, got {number}")
        return number

    check.__name__ = "count"
    return check
