"""A results report regenerated from run folders alone.

    lbw report runs/push/lbw_seed0 runs/push/oracle_seed0 … --out results/policy
    lbw report runs/push/lbw_new_seed0 --out results/policy --add   # to the runs already there

    write_report(collect_runs(["runs/push/lbw_seed0", …]), "results/policy")

writes ``OUT/results.md`` (a headline table, one row per task: ``lbw`` per seed with the
oracle, replay and random baselines; then one row per task and method, or variant — runs are
grouped by folder name without ``_seedN`` — with success mean ± std over seeds, env steps,
wall time, median training throughput in env steps/s as logged at each evaluation; per task
the evaluation video of the best ``lbw`` run), ``OUT/curves_TASK.png`` (evaluation success vs
env steps: the mean over seeds, their range shaded) and ``OUT/runs.json`` (the per-run numbers the
table is made of). Videos are copied into ``OUT/videos/`` (with a gif to show inline) so that
the folder stands alone. ``OUT/index.html`` (``lbw.evaluation.html_report``) shows the same
table and curves and, per run, its video, success map and config, from the file system.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import warnings
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from lbw.envs import registered_tasks
from lbw.evaluation.html_report import every_run_fresh, write_html
from lbw.files import RunDirError, copy_file, read_jsonl, save_figure, write_json, write_text
from lbw.methods import method_names
from lbw.video import read_video, write_video


def collect_runs(run_dirs: list[str | os.PathLike]) -> list[dict[str, Any]]:
    """The numbers of each finished run: its ``metrics.json`` and its learning curve."""
    runs = []
    for run_dir in map(Path, run_dirs):
        metrics = run_dir / "metrics.json"
        if not metrics.is_file():
            raise RunDirError(f"{run_dir}: no metrics.json (not a finished `lbw run`)")
        record = json.loads(metrics.read_text())
        curve = run_dir / "policy" / "evaluations.jsonl"
        evaluations = read_jsonl(curve) if curve.exists() else []
        record["curve"] = [(r["iteration"], r["eval/success_rate"]) for r in evaluations]
        rates = [r["train/env_steps_per_s"] for r in evaluations if "train/env_steps_per_s" in r]
        record["train_steps_per_s"] = float(np.median(rates)) if rates else None
        record["run_dir"] = str(run_dir)
        record["label"] = run_label(run_dir)
        runs.append(record)
    return runs


def merge_runs(
    recorded: str | os.PathLike, runs: list[dict[str, Any]], drop: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The runs of a report's ``runs.json`` with ``runs`` added (a run of the same folder is
    replaced) and those whose folder matches a glob pattern of ``drop`` removed (e.g.
    ``runs/push/lbw_seed*``, when another variant takes their place): a report grows without
    every earlier run folder at hand. A pattern that matches no recorded run is an error."""
    path = Path(recorded)
    if not path.is_file():
        raise RunDirError(f"{path}: no runs.json to add to (make the report without --add first)")
    new = {r["run_dir"] for r in runs}
    earlier = [r for r in json.loads(path.read_text()) if r["run_dir"] not in new]
    for pattern in drop:
        if not any(fnmatch.fnmatchcase(r["run_dir"], pattern) for r in earlier):
            folders = ", ".join(sorted({str(Path(r["run_dir"]).parent) for r in earlier}))
            raise RunDirError(f"--drop {pattern}: matches no run of {path} (their folders: {folders})")
    kept = [r for r in earlier if not any(fnmatch.fnmatchcase(r["run_dir"], p) for p in drop)]
    return kept + runs


def tasks_of(runs: list[dict[str, Any]]) -> list[str]:
    """The tasks of ``runs`` in the registry's order (reach, push, slide, …), unknown ones last."""
    order = {task: i for i, task in enumerate(registered_tasks())}
    return sorted({r["task"] for r in runs}, key=lambda task: (order.get(task, len(order)), task))


def run_label(run_dir: str | os.PathLike) -> str:
    """What a run is a seed of: its folder name without ``_seed<N>`` — the method for runs of
    the default name (``lbw_seed0`` → ``lbw``), the variant for named ones
    (``oracle_tf1_seed0`` → ``oracle_tf1``)."""
    return re.sub(r"_seed\d+$", "", Path(run_dir).name)


def _groups(runs: list[dict[str, Any]], task: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The runs of one task grouped by label, in the methods' order (variants after their
    method), each group ordered by seed: [(label, runs), …]."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in sorted((r for r in runs if r["task"] == task), key=lambda r: r["seed"]):
        by_label[run["label"]].append(run)
    order = {m: i for i, m in enumerate(method_names())}
    return sorted(by_label.items(), key=lambda item: (order.get(item[1][0]["method"], len(order)), item[0]))


TABLE_HEADER = (
    "task",
    "method",
    "success (mean ± std)",
    "per seed",
    "env steps",
    "policy training, min",
    "training env steps/s",
    "env steps to 0.8",
)
SOON = 0.8  # the training-evaluation success whose first env step "env steps to 0.8" reports


def results_table(runs: list[dict[str, Any]]) -> str:
    """Markdown: one row per task and run label (method or variant), success mean ± std over seeds."""
    lines = ["| " + " | ".join(TABLE_HEADER) + " |", "|---|---|---:|---|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(runs)]
    return "\n".join(lines)


def table_rows(runs: list[dict[str, Any]]) -> list[list[str]]:
    """The cells of ``results_table``, one list per task and run label (``TABLE_HEADER``)."""
    rows = []
    for task in tasks_of(runs):
        for label, group in _groups(runs, task):
            rates = np.array([r["success_rate"] for r in group])
            per_seed = " ".join(f"{r:.2f}" for r in rates)
            steps = " / ".join(f"{n:,}" for n in sorted({r["env_steps"] for r in group}))
            minutes = np.median([r["wall_time_s"].get("policy", 0.0) for r in group]) / 60
            speeds = [r["train_steps_per_s"] for r in group if r.get("train_steps_per_s")]
            speed = f"{np.median(speeds):.0f}" if speeds else "–"
            mean = f"{rates.mean():.2f} ± {rates.std():.2f}"
            rows.append([task, label, mean, per_seed, steps, f"{minutes:.1f}", speed, steps_to(group)])
    return rows


HEADLINE = ("lbw", "oracle", "replay", "random")  # the methods of the headline table, in its order


def _method_group(
    runs: list[dict[str, Any]], task: str, method: str, suffix: str = ""
) -> list[dict[str, Any]] | None:
    """The runs of ``method`` on ``task`` for the headline: the group labelled ``method +
    suffix`` (``oracle_starts-wide`` beside ``lbw_starts-wide``), else the one labelled with the
    method's name, else the method's only variant; None if absent or ambiguous."""
    groups = {label: g for label, g in _groups(runs, task) if g[0]["method"] == method}
    for label in (method + suffix, method):
        if label in groups:
            return groups[label]
    return next(iter(groups.values())) if len(groups) == 1 else None


def headline_table(runs: list[dict[str, Any]]) -> str:
    """Markdown: one row per task — ``lbw``'s success (mean ± std over seeds, per seed, env
    steps to 0.8) and the mean success of each other method of ``HEADLINE`` (– where absent)."""
    others = HEADLINE[1:]
    lines = [
        "| task (env steps) | `lbw` | per seed | env steps to 0.8 (seeds) | " + " | ".join(others) + " |",
        "|---|---:|---|---:|" + "---:|" * len(others),
    ]
    for task in tasks_of(runs):
        lbw = _method_group(runs, task, "lbw")
        # The baselines of the same variant as lbw's row: lbw_starts-wide → oracle_starts-wide.
        suffix = lbw[0]["label"].removeprefix("lbw") if lbw and lbw[0]["label"].startswith("lbw") else ""
        if lbw:
            rates = np.array([r["success_rate"] for r in lbw])
            steps = " / ".join(f"{n // 1000}k" for n in sorted({r["env_steps"] for r in lbw}))
            cells = [
                f"{task} ({steps})",
                f"**{rates.mean():.2f}** ± {rates.std():.2f}",
                " ".join(f"{r:.2f}" for r in rates),
                steps_to(lbw),
            ]
        else:
            cells = [task, "–", "–", "–"]
        for method in others:
            group = _method_group(runs, task, method, suffix)
            cells.append(f"{np.mean([r['success_rate'] for r in group]):.2f}" if group else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def first_step_at(curve: list[tuple[int, float]], success: float = SOON) -> int | None:
    """The first env step at which a training evaluation reached ``success`` (None: never)."""
    return next((step for step, rate in curve if rate >= success), None)


def steps_to(group: list[dict[str, Any]], success: float = SOON) -> str:
    """``"65,000 (3/3)"``: the median over the seeds that got there of the env steps to the first
    training evaluation ≥ ``success``, and how many of the seeds did; "–" for runs that do not train."""
    curves = [r["curve"] for r in group if r.get("curve")]
    if not curves:
        return "–"
    reached = [step for curve in curves if (step := first_step_at(curve, success)) is not None]
    median = f"{np.median(reached):,.0f}" if reached else "never"
    return f"{median} ({len(reached)}/{len(curves)})"


def seed_band(curves: list[list[tuple[int, float]]]) -> tuple[np.ndarray, ...]:
    """Mean, minimum and maximum over seeds of evaluation curves [(env steps, success), …],
    at the env steps every curve was evaluated at: arrays (steps, mean, low, high), each (S,)."""
    by_step = [dict(curve) for curve in curves]
    common = sorted(set.intersection(*(set(seed) for seed in by_step)))
    values = np.array([[seed[step] for step in common] for seed in by_step], dtype=float)
    return np.array(common), values.mean(0), values.min(0), values.max(0)


def plot_curves(runs: list[dict[str, Any]], task: str, path: Path) -> None:
    """Evaluation success vs env steps for every method (or variant) of one task: the mean over
    seeds, the range between the lowest and highest seed shaded, each seed a faint line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.5))
    method_colours, variant_colours = plt.get_cmap("tab10"), plt.get_cmap("Dark2")
    variants = 0
    for name, group in _groups(runs, task):
        if name in method_names():  # a method keeps its colour on every task
            colour = method_colours(method_names().index(name))
        else:  # variants from another palette, so that none repeats a method's
            colour, variants = variant_colours(variants % variant_colours.N), variants + 1
        curves = [r["curve"] for r in group if r["curve"]]
        label = f"{name} ({len(group)} seed{'s' if len(group) > 1 else ''})"
        if curves:
            for curve in curves:
                axes.plot(*zip(*curve, strict=True), color=colour, alpha=0.25, lw=0.8)
            steps, mean, low, high = seed_band(curves)
            axes.fill_between(steps, low, high, color=colour, alpha=0.15, lw=0)
            axes.plot(steps, mean, color=colour, lw=2, label=label)
        elif group:  # random: evaluated, never trained
            success = float(np.mean([r["success_rate"] for r in group]))
            axes.axhline(success, color=colour, ls="--", label=label)
    axes.set(xlabel="env steps", ylabel="evaluation success", title=task, ylim=(-0.05, 1.05))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)


def write_report(
    runs: list[dict[str, Any]],
    out: str | os.PathLike,
    videos: bool = True,
    fresh: Collection[str] | None = None,
) -> Path:
    """Table, learning curves and (if ``videos``) the best ``lbw`` run's video per task, of runs
    (from ``collect_runs``) under ``out``, and the browsable ``index.html``; returns results.md.
    ``fresh``: the run folders whose files (video, success map, config) are read now; None:
    every run's. The others, kept from an earlier report (``merge_runs``), keep the copies it
    made: their folders may hold another run by now. Files already in ``OUT/videos/`` that this
    report does not write are left alone, with a warning naming them."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fresh = every_run_fresh(runs, fresh)
    written: set[Path] = set()
    lines = [
        "# Results",
        "",
        headline_table(runs),
        "",
        "Every method and variant:",
        "",
        results_table(runs),
        "",
    ]
    for task in tasks_of(runs):
        plot_curves(runs, task, out / f"curves_{task}.png")
        lines += [f"## {task}", "", f"![{task} learning curves](curves_{task}.png)", ""]
        best = max(
            (r for r in runs if r["task"] == task and r["method"] == "lbw" and r["videos"]),
            key=lambda r: r["success_rate"],
            default=None,
        )
        if best is not None and videos:
            video = out / "videos" / f"{task}_{best['label']}_seed{best['seed']}.mp4"
            gif = video.with_suffix(".gif")  # shown inline where an mp4 is only a link
            if best["run_dir"] in fresh and Path(best["videos"][0]).is_file():
                video.parent.mkdir(exist_ok=True)
                copy_file(best["videos"][0], video)
                frames = read_video(video)[::2]  # every other frame at 2/3 size: a few hundred KB
                small = [
                    cv2.resize(f, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA) for f in frames
                ]
                write_video(gif, np.stack(small), fps=15)
            elif not (video.is_file() and gif.is_file()):  # a run added earlier keeps its copies
                raise RunDirError(f"{best['videos'][0]}: the best {task} run's video is missing")
            written |= {video, gif}
            lines += [
                f"Best `lbw` run (`{best['label']}` seed {best['seed']}, success "
                f"{best['success_rate']:.2f}), first evaluation episode ([mp4]({video.relative_to(out)})): "
                "human demo | demo in the robot domain | robot rollout",
                "",
                f"![{task}: human demo, translated demo, robot rollout]({gif.relative_to(out)})",
                "",
            ]
    write_json(out / "runs.json", runs)
    write_text(out / "results.md", "\n".join(lines))
    write_html(runs, out, TABLE_HEADER, table_rows(runs), fresh)
    stale = sorted(set((out / "videos").glob("*")) - written)
    if stale:
        warnings.warn(
            f"{out / 'videos'} also holds files this report did not write (left alone): "
            + ", ".join(p.name for p in stale),
            stacklevel=2,
        )
    return out / "results.md"
