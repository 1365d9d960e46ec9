"""Options shared by several commands."""

from __future__ import annotations

import argparse

from envs import TASKS


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
