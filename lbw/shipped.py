"""The files lbw ships beside its code: configs, trained perception models, demonstration clips.

    from lbw.shipped import shipped_config, shipped_path
    shipped_config("quickstart")            # …/configs/quickstart.yaml, wherever lbw is installed
    shipped_path("videos/push_human.mp4")   # a task's default demonstration clip

In a source checkout (``pip install -e .``) they are the repository's ``configs/``, ``models/``
and ``videos/``; an installed wheel carries the same three folders as package data under
``lbw/_shipped/``, so that a shipped config's relative paths (``../models/…``) hold in both.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_shipped"


def shipped_root() -> Path:
    """The folder holding ``configs/``, ``models/`` and ``videos/``."""
    return _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parents[1]


def near(path: str | os.PathLike) -> Path:
    """``path`` relative to the working folder when it lies under it (shorter in records and
    messages, and the same string a run started from the repository always wrote), else absolute."""
    path = Path(os.path.normpath(path))
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd())
        except ValueError:
            return path
    return path


def shipped_path(relative: str) -> Path:
    """A shipped file (``"videos/push_human.mp4"``), whether or not it exists."""
    return near(shipped_root() / relative)


def shipped_configs() -> list[str]:
    """Names of the shipped run configs (``lbw run NAME`` runs ``configs/NAME.yaml``)."""
    return sorted(p.stem for p in (shipped_root() / "configs").glob("*.yaml"))


def shipped_config(name: str) -> Path | None:
    """The shipped config ``configs/NAME.yaml`` (``NAME`` may end in ``.yaml``), or None."""
    stem = name.removesuffix(".yaml")
    path = shipped_root() / "configs" / f"{stem}.yaml"
    return near(path) if stem and "/" not in stem and path.is_file() else None
