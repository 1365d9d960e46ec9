"""Success by how far an object starts from where it started in the demo episode (``--around
demo``) or from the middle of its start range (``--around middle``), per method, over the test
episodes of finished runs (their ``eval/eval_info.json``; nothing is run again).

On push's wide starts `lbw` succeeds where the block starts near the middle of the range, where
the default starts lie, and less the further from there, where the oracle succeeds everywhere:

    python docs/studies/success_by_start.py runs/push/lbw_starts-wide_seed[0-2] \
        runs/push/oracle_starts-wide_seed[0-2] --object block --around middle

The demo episode is the task's default-start episode of ``--demo-seed`` (the shipped clips'
seed, 0); the middle is the mean start over every episode given; distances in the table plane
(x, y), cm.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import numpy as np

from lbw import envs

BINS_CM = (0.0, 2.0, 3.5, 100.0)


def episodes(run: Path, name: str) -> tuple[str, str, np.ndarray, np.ndarray]:
    """A run's task and method, its episodes' (N, 2) start positions of object ``name`` (m) and
    (N,) success."""
    info = json.loads((run / "eval" / "eval_info.json").read_text())
    starts = np.array([e["initial_positions"][name][:2] for e in info["per_episode"]], dtype=float)
    success = np.array([e["success"] for e in info["per_episode"]], dtype=float)
    return info["task"], info["method"], starts, success


def demo_start(task: str, name: str, seed: int) -> np.ndarray:
    """(2,) where object ``name`` starts (m) in the task's default-start episode ``seed``."""
    env = envs.make(task)
    _, info = env.reset(seed=seed)
    env.close()
    return np.asarray(info["positions"][name][:2], dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="finished run folders")
    parser.add_argument("--object", default="block", help="object whose start to bin by (default: block)")
    parser.add_argument(
        "--around", choices=("demo", "middle"), default="demo", help="distance from what (default: demo)"
    )
    parser.add_argument("--demo-seed", type=int, default=0, help="the demo episode's seed (default: 0)")
    args = parser.parse_args()

    by_method: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    tasks = set()
    for run in args.runs:
        task, method, starts, success = episodes(run, args.object)
        tasks.add(task)
        by_method[method].append((starts, success))
    if len(tasks) != 1:
        parser.error(f"runs of one task, please (got {sorted(tasks)})")
    if args.around == "demo":
        origin = demo_start(tasks.pop(), args.object, args.demo_seed)
        print(f"the {args.object} starts at {np.round(origin * 100, 1)} cm in the demo episode")
    else:
        origin = np.concatenate([s for runs in by_method.values() for s, _ in runs]).mean(0)
        print(f"the middle of the {args.object}'s starts: {np.round(origin * 100, 1)} cm")
    print("| method | " + " | ".join(f"{lo:g}–{hi:g} cm" for lo, hi in pairwise(BINS_CM)) + " |")
    print("|---|" + "---:|" * (len(BINS_CM) - 1))
    for method, runs in by_method.items():
        distance = np.concatenate([np.linalg.norm(s - origin, axis=1) * 100 for s, _ in runs])
        success = np.concatenate([ok for _, ok in runs])
        cells = []
        for lo, hi in pairwise(BINS_CM):
            inside = (distance >= lo) & (distance < hi)
            cells.append(f"{success[inside].mean():.2f} ({inside.sum()})" if inside.any() else "–")
        print(f"| {method} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
