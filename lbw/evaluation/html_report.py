"""A browsable report: one static HTML page that opens from the file system, no server.

    write_html(runs, "results/policy", TABLE_HEADER, table_rows(runs))   # → index.html

``lbw report`` writes it beside ``results.md``: the results table, the learning curves and,
per run, its side-by-side evaluation video (human demo | demo in the robot domain | robot
rollout), its success map and its config. What a run shows is copied into ``OUT/runs/TASK/NAME/``
so that the folder stands alone; a run added earlier whose folder is gone keeps its copies.
"""

from __future__ import annotations

import html
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from lbw.files import copy_file, write_text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
details { margin: 0.4em 0; } summary { cursor: pointer; }
.run { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; margin: 0.5em 0 1em 1em; }
pre { background: #f5f5f5; padding: 0.5em; max-height: 22em; overflow: auto; font-size: 0.8em; }
img.curve { max-width: 32em; } video, img.map { max-width: 36em; }
"""


def write_html(
    runs: list[dict[str, Any]],
    out: str | os.PathLike,
    header: tuple[str, ...],
    rows: list[list[str]],
    fresh: Collection[str] | None = None,
) -> Path:
    """``OUT/index.html`` for runs from ``collect_runs`` and their results table (``header``,
    ``rows``); the curves ``write_report`` drew are shown where they exist. Each run's files are
    copied from its folder if it is in ``fresh`` (None: every run); the others keep the copies
    an earlier report made. Returns its path."""
    out = Path(out)
    fresh = every_run_fresh(runs, fresh)
    body = [f"<h1>Results</h1>\n{_table(header, rows)}"]
    for task in dict.fromkeys(row[0] for row in rows):  # the table's order
        body.append(f"<h2>{html.escape(task)}</h2>")
        if (out / f"curves_{task}.png").is_file():
            body.append(f'<img class="curve" src="curves_{task}.png" alt="{task} learning curves">')
        used: set[str] = set()
        task_runs = [r for r in runs if r["task"] == task]
        # The best run with a video is shown open: the page shows a rollout at first sight.
        best = max(task_runs, key=lambda r: (bool(r.get("videos")), r["success_rate"]))
        for run in sorted(task_runs, key=lambda r: (r["label"], r["seed"])):
            name = Path(run["run_dir"]).name  # runs of two roots may share a name: number the second
            name = next(
                n for i in range(1, len(runs) + 2) if (n := name if i == 1 else f"{name}-{i}") not in used
            )
            used.add(name)
            copy = run["run_dir"] in fresh
            body.append(_run_section(run, out / "runs" / task / name, out, run is best, copy))
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>lbw results</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    write_text(out / "index.html", page)
    return out / "index.html"


def every_run_fresh(runs: list[dict[str, Any]], fresh: Collection[str] | None) -> set[str]:
    """The run folders whose files a report reads now: ``fresh``, or every run's when None."""
    return {r["run_dir"] for r in runs} if fresh is None else set(fresh)


def _table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table><tr>{head}</tr>\n{body}</table>"


def _run_section(
    run: dict[str, Any], folder: Path, out: Path, opened: bool = False, copy: bool = True
) -> str:
    """A collapsible section: the run's video, success map and config, copied into ``folder``
    (if ``copy``; else the copies already there)."""
    run_dir = Path(run["run_dir"])
    sources = {
        "episode.mp4": Path(run["videos"][0]) if run.get("videos") else None,
        "success_map.png": run_dir / "eval" / "success_map.png",
        "config.yaml": run_dir / "config.yaml",
    }
    for name, source in sources.items() if copy else ():
        if source is not None and source.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            copy_file(source, folder / name)
    link = folder.relative_to(out).as_posix()
    parts = []
    if (folder / "episode.mp4").is_file():
        parts.append(f'<video controls loop muted src="{link}/episode.mp4"></video>')
    if (folder / "success_map.png").is_file():
        parts.append(f'<img class="map" src="{link}/success_map.png" alt="success map">')
    if (folder / "config.yaml").is_file():
        parts.append(f"<pre>{html.escape((folder / 'config.yaml').read_text())}</pre>")
    summary = f"{html.escape(run['label'])} seed {run['seed']}: success {run['success_rate']:.2f}"
    if "episodes" in run and "mean_return" in run:  # records of older reports may lack them
        summary += f" over {run['episodes']} episodes, mean return {run['mean_return']:.1f}"
    return (
        f"<details{' open' if opened else ''}><summary>{summary}</summary>"
        f'<div class="run">{"".join(parts)}</div></details>'
    )
