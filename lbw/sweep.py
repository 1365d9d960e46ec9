"""Many runs with one command: a grid of overrides over base configs, run on Ray.

    lbw sweep configs/sweeps/reach.yaml                      # a local Ray instance on this machine
    lbw sweep configs/sweeps/reach.yaml --workers 4          # at most 4 runs at a time
    lbw sweep configs/sweeps/reach.yaml --address HOST:6379  # an existing Ray cluster

A sweep file::

    configs: [../reach.yaml]          # base configs: one, or one per task (relative to this file)
    grid:                             # every combination of these overrides, for each config
      method: [lbw, oracle]
      policy.seed: [0, 1, 2]
    overrides: [eval.record=2]        # applied to every point (optional)
    report: results/policy/reach      # `lbw report`'s --out for the sweep's runs (optional)

``grid`` may also be a list of such mappings: the points of each, one after the other (e.g.
the learning methods on five seeds, then ``method: [replay, random]`` once).

Each point is an ordinary ``lbw run`` of its config with its overrides, in the run folder its
name gives: ``METHOD_seedSEED`` when only the method and seed vary, else the other overrides
join the name (``lbw_alignment-uniform_seed1``), so ``lbw report`` groups seeds of one variant.
The perception stages the points share are built first (each once), then the policies fan out
as Ray tasks of one CPU each. Finished runs are skipped and interrupted ones resumed, so
running a sweep again goes on where it stopped; a failing point is reported with its error
and the others go on. The exit code is 0 only when every point finished.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lbw.config import ConfigError, RunConfig, import_modules, load_config, parse_yaml, resolve_input
from lbw.files import read_jsonl
from lbw.runtime import TRAIN_THREADS
from lbw.shipped import near

SWEEP_KEYS = ("configs", "grid", "overrides", "report")


class SweepError(ConfigError):
    """A sweep that cannot start: a bad sweep file, points sharing a run folder, no Ray."""


STATES = ("queued", "running", "done", "skipped", "failed")


@dataclass
class Point:
    """One run of a sweep: a base config, the overrides of every point and this point's
    ``varied`` values; its run name is set when the config is read (``run_name``)."""

    config: str
    overrides: list[str]
    varied: dict[str, Any]
    name: str = ""
    run_dir: Path | None = None
    state: str = "queued"
    error: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        varied = " ".join(f"{k}={_yaml(v)}" for k, v in self.varied.items())
        return f"{Path(self.config).stem}/{self.name or varied}"

    def load(self) -> RunConfig:
        """The point's config, named by ``run_name`` unless its overrides name it."""
        overrides = [*self.overrides, *(f"{k}={_yaml(v)}" for k, v in self.varied.items())]
        config = load_config(self.config, overrides)
        if "name" not in self.varied:
            config = load_config(self.config, [*overrides, f"name={run_name(config, self.varied)}"])
        self.name, self.run_dir = config.run_dir.name, config.run_dir
        return config


@dataclass
class Sweep:
    """A parsed sweep file (see the module docstring)."""

    configs: list[str]
    grid: list[dict[str, list[Any]]]  # one grid, or several whose points follow each other
    overrides: list[str] = field(default_factory=list)
    report: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.grid, dict):
            self.grid = [self.grid]

    def points(self) -> list[Point]:
        """Every (config × grid combination), in file order."""
        return [
            Point(config, list(self.overrides), dict(zip(grid, values, strict=True)))
            for config in self.configs
            for grid in self.grid
            for values in itertools.product(*grid.values())
        ]


def load_sweep(path: str | os.PathLike) -> Sweep:
    """Read and check a sweep file (a ``SweepError`` naming what is wrong)."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"{path}: no such sweep file")
    try:
        values = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise SweepError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(values, dict):
        raise SweepError(f"{path}: a sweep file is a mapping with {', '.join(SWEEP_KEYS)}")
    if unknown := sorted(set(values) - set(SWEEP_KEYS)):
        raise SweepError(f"{path}: unknown sweep key {unknown[0]!r}; known keys: {', '.join(SWEEP_KEYS)}")
    configs, grid = values.get("configs"), values.get("grid") or {}
    if isinstance(configs, str):
        configs = [configs]
    if not configs or not all(isinstance(c, str) for c in configs):
        raise SweepError(f"{path}: configs: a config file or a list of them")
    grids = grid if isinstance(grid, list) else [grid]
    if not grids or not all(
        isinstance(g, dict) and all(isinstance(v, list) and v for v in g.values()) for g in grids
    ):
        raise SweepError(
            f"{path}: grid: a mapping of config keys to non-empty lists of values, or a list of them"
        )
    overrides = values.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) and "=" in o for o in overrides):
        raise SweepError(f"{path}: overrides: a list of key=value strings")
    # Files a sweep file names are relative to its folder, as in a config file.
    base = path.parent
    configs = [str(near(base / c)) for c in configs]
    grids = [{k: [resolve_input(k, v, base) for v in vs] for k, vs in g.items()} for g in grids]
    overrides = [_resolved_override(o, base) for o in overrides]
    return Sweep(configs, grids, overrides, values.get("report"))


def _resolved_override(override: str, base: Path) -> str:
    """A ``key=value`` override of the sweep file with the files it names joined onto ``base``
    (``resolve_input``); one that is not valid YAML is left for ``load_config`` to name."""
    key, text = override.split("=", 1)
    try:
        value = parse_yaml(text)
    except yaml.YAMLError:
        return override
    resolved = resolve_input(key.strip(), value, base)
    return override if resolved == value else f"{key}={_yaml(resolved)}"


def run_name(config: RunConfig, varied: dict[str, Any]) -> str:
    """A point's run folder name: ``METHOD_seedSEED`` (the default) when only the method and
    seed vary, else with the other varied overrides joined in (``lbw_alignment-uniform_seed1``),
    so that ``lbw report`` groups the seeds of one variant."""
    others = {k: v for k, v in varied.items() if k not in ("method", "policy.seed", "task")}
    if config.name and not others:
        return config.name
    parts = [config.name.rsplit("_seed", 1)[0] if config.name else config.method]
    parts += [f"{k.rsplit('.', 1)[-1]}-{_slug(v)}" for k, v in others.items()]
    return "_".join(parts) + f"_seed{config.policy.seed}"


def _slug(value: Any) -> str:
    """A value as a piece of a folder name: a path by its folder and stem, any other character
    a dash (``clips/user/reach_human.mp4`` → ``user-reach-human``)."""
    text = _yaml(value)
    text = f"{Path(text).parent.name}-{Path(text).stem}" if "/" in text else text
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text).strip("-") or "x"


def _yaml(value: Any) -> str:
    """A value as it is written in an override (``[64, 64]``, ``null``, ``0.5``)."""
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


# ------------------------------------------------------------------------------ running
def run_sweep(
    sweep: Sweep, workers: int | None = None, address: str | None = None, progress: bool = True
) -> list[Point]:
    """Run every point of ``sweep`` on Ray; returns the points with their final state."""
    try:
        import ray
    except ImportError as error:
        raise SweepError("lbw sweep runs on Ray: pip install 'lbw[sweep]' (or ray)") from error

    points = sweep.points()
    configs = _resolve(points)
    pending = [p for p in points if p.state in ("queued", "resume")]
    if not pending:
        return points
    cwd = os.getcwd()
    init = {"address": address} if address else {"num_cpus": workers or os.cpu_count() or 1}
    ray.init(**init, include_dashboard=False, log_to_driver=False, configure_logging=False)
    refs: dict[Any, Point] = {}
    try:
        _build_perception(ray, [configs[id(p)] for p in pending], cwd)
        remote = ray.remote(num_cpus=1, max_retries=0)(_run_point)
        largest_node = _largest_node(ray)
        for p in pending:
            # A training with subprocess envs keeps that many cores busy (capped: Ray would
            # otherwise wait forever for a node that large).
            cpus = min(configs[id(p)].policy.busy_processes(), largest_node)
            refs[remote.options(num_cpus=cpus).remote(configs[id(p)], p.state == "resume", cwd)] = p
            p.state = "queued"
        _wait(ray, refs, points, progress)
    except KeyboardInterrupt:
        for ref in refs:
            ray.cancel(ref)  # a KeyboardInterrupt in the worker: SAC saves its resume point
        time.sleep(5)
        raise
    finally:
        ray.shutdown()
    return points


def _resolve(points: list[Point]) -> dict[int, RunConfig]:
    """Load each point's config (a point whose config is wrong fails here, alone) and find
    what its run folder holds: finished runs are skipped, started ones resumed."""
    from lbw.preflight import preflight

    configs = {}
    for p in points:
        try:
            config = p.load()
            exists = (config.run_dir / "config.yaml").exists()
            state = preflight(config, resume=exists)
        except (ConfigError, OSError, ValueError) as error:
            p.state, p.error = "failed", _one_line(error)
            continue
        configs[id(p)] = config
        if state == "finished":
            p.state = "skipped"
            p.metrics = _metrics(config.run_dir)
        elif state == "resume":
            p.state = "resume"
    if len({p.run_dir for p in points if p.run_dir}) < len([p for p in points if p.run_dir]):
        raise SweepError("two points of the sweep share a run folder: give them distinct names")
    return configs


def _build_perception(ray: Any, configs: Iterable[RunConfig], cwd: str) -> None:
    """The perception stages the points need, each built once (one Ray task per distinct
    stage set, ``TRAIN_THREADS`` CPUs each, or a whole node where nodes have fewer), before
    any policy trains."""
    unique = {}
    for config in configs:
        if not config.method_spec.perceives:
            continue
        key = (
            config.task,
            config.translator_model,
            repr(config.data),
            repr(config.translator),
            repr(config.keypoints),
        )
        unique.setdefault(key, config)
    if not unique:
        return
    remote = ray.remote(num_cpus=min(TRAIN_THREADS, _largest_node(ray)), max_retries=0)(_perception)
    failures = [e for e in ray.get([remote.remote(c, cwd) for c in unique.values()]) if e]
    if failures:
        print(f"warning: perception stages failed: {'; '.join(failures)}", file=sys.stderr)


def _largest_node(ray: Any) -> int:
    """CPUs of the largest live node of the Ray cluster (at least 1)."""
    return max(1, int(max(node["Resources"].get("CPU", 0) for node in ray.nodes() if node["Alive"])))


def _perception(config: RunConfig, cwd: str) -> str:
    from lbw.stages import perception_stages

    os.chdir(cwd)
    try:
        import_modules(config.imports)  # the tasks of the config's own modules, in this worker
        perception_stages(config, progress=False)
    except Exception as error:  # the points that need it fail in their turn, with this error
        return f"{config.task}: {_one_line(error)}"
    return ""


def _run_point(config: RunConfig, resume: bool, cwd: str) -> dict[str, Any]:
    """One point, in a Ray worker: ``lbw run`` of its config. Returns its metrics, or
    ``{"error": …}`` (a failing point must not stop the others)."""
    from lbw.pipeline import run_pipeline

    os.chdir(cwd)  # the run folders and any paths given relative to the sweep's working folder
    try:
        import_modules(config.imports)
        return run_pipeline(config, resume=resume, progress=False)
    except Exception as error:
        return {"error": _one_line(error)}


def _wait(ray: Any, refs: dict[Any, Point], points: list[Point], progress: bool) -> None:
    left = list(refs)
    shown = ""
    while left:
        done, left = ray.wait(left, num_returns=len(left), timeout=5.0)
        for ref in done:
            point, result = refs[ref], ray.get(ref)
            if "error" in result:
                point.state, point.error = "failed", result["error"]
            else:
                point.state, point.metrics = "done", result
        for point in refs.values():
            if point.state == "queued" and point.run_dir and (point.run_dir / "policy").exists():
                point.state = "running"
        table = progress_table(points)
        if progress and table != shown:
            print(table, flush=True)
            shown = table


def progress_table(points: list[Point]) -> str:
    """Point, state, env steps trained, best evaluation success so far (from the run folders)."""
    lines = ["| point | state | env steps | success |", "|---|---|---:|---:|"]
    for p in points:
        steps, success = _progress(p)
        detail = f" ({p.error})" if p.error else ""
        lines.append(f"| {p.label} | {p.state}{detail} | {steps} | {success} |")
    counts = ", ".join(f"{sum(p.state == s for p in points)} {s}" for s in STATES)
    return "\n".join([*lines, counts])


def _progress(point: Point) -> tuple[str, str]:
    if point.metrics:
        return f"{point.metrics.get('env_steps', 0):,}", f"{point.metrics['success_rate']:.2f}"
    log = point.run_dir / "policy" / "evaluations.jsonl" if point.run_dir else None
    if log is None or not log.exists():
        return "–", "–"
    records = read_jsonl(log)
    if not records:
        return "0", "–"
    best = max(r["eval/success_rate"] for r in records)
    return f"{records[-1]['iteration']:,}", f"{best:.2f} (best so far)"


def _metrics(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "metrics.json").read_text())


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
