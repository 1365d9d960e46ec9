"""Options, and the output check, shared by several commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from lbw.config import RunConfig, load_config
from lbw.envs import TASKS


def task_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", choices=TASKS, default="push", help="task (default: push)")


def one_look(value: str) -> str:
    """An argparse ``type`` for one demonstrator look (``--appearance``: a preset or a seed),
    checked when the command line is read."""
    from lbw.envs.appearance import appearance_from

    try:
        appearance_from(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def device_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default=None, help="torch device (default: cuda if present, else cpu)")


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


def share(value: str) -> float:
    """An argparse ``type`` for a share in [0, 1] (of episodes, say)."""
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"a share of episodes in [0, 1], got {value}")
    return number


def run_config(args: argparse.Namespace) -> RunConfig:
    """The config a command names (a file or a shipped config's name) with its overrides."""
    return load_config(config_path(args.config), overrides=args.overrides)


def config_path(name: str | None) -> str | None:
    """A config file, or the name of a shipped one (``quickstart``, ``push``: ``lbw run quickstart``
    works from any folder)."""
    from lbw.config import ConfigError
    from lbw.shipped import shipped_config, shipped_configs

    if name is None or Path(name).is_file():
        return name
    shipped = shipped_config(name)
    if shipped is None:
        raise ConfigError(
            f"{name}: no such config file, nor a shipped config ({', '.join(shipped_configs())})"
        )
    return str(shipped)


def config_options(p: argparse.ArgumentParser, run_folder: bool = True) -> None:
    """CONFIG [KEY=VALUE …] and, for commands that make a run folder, --resume / --overwrite."""
    p.add_argument("config", help="a run config YAML, or a shipped config's name (quickstart, push, …)")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE", help="config overrides, e.g. policy.seed=1")
    if run_folder:
        p.add_argument("--resume", action="store_true", help="go on with an existing run folder")
        p.add_argument("--overwrite", action="store_true", help="discard an existing run folder")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def refuse_overwrite(path: Path, overwrite: bool) -> None:
    """A result file is kept unless ``--overwrite``: checked before any work."""
    from lbw.files import RunDirError

    if path.exists() and not overwrite:
        raise RunDirError(f"refusing to overwrite {path}: pass --overwrite, or another --out")
