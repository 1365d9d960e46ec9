"""A run's folder: what starting a config would do to it, and its saved config.

    from lbw.run_dir import check_run_dir, save_run_config
    check_run_dir(config, resume=True)   # "new" | "resume" | "finished", or RunDirError; writes nothing
    save_run_config(config, resume=True)  # the same check, then RUN/config.yaml
    with run_lock(config): ...           # one process at a time in a run folder

A run folder is never overwritten: ``resume`` goes on with it, ``overwrite`` starts it again.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml

from lbw.config import RunConfig, load_config
from lbw.files import RunDirError, atomic_write, held_lock
from lbw.stages import STAGE_FILE


@contextmanager
def run_lock(config: RunConfig) -> Iterator[None]:
    """Hold a run folder for this process (``ROOT/TASK/.locks/NAME.lock``): a second process starting
    the same run (a sweep beside a hand-started run, a command sent twice) is refused with a
    ``RunDirError`` rather than training into the same folder."""
    run_dir = config.run_dir
    stack = ExitStack()
    try:
        stack.enter_context(held_lock(run_dir.parent / ".locks" / run_dir.name, wait=False))
    except BlockingIOError:
        raise RunDirError(
            f"{run_dir} is in use by another process; wait for it to end or name another run (name=…)"
        ) from None
    with stack:
        yield


def check_run_dir(config: RunConfig, resume: bool = False, overwrite: bool = False) -> str:
    """What starting ``config`` would do to its run folder, checked without writing anything:
    ``"new"`` (no run there, or ``overwrite``), ``"resume"`` (go on with it) or ``"finished"``
    (resumed with the config it finished with: nothing to do). An existing run is an error
    unless ``resume`` or ``overwrite``; a resumed run must keep its config except for the
    evaluation section, its ``name`` and ``policy.total_steps`` / ``buffer_size`` (more steps
    train on; fewer than it has trained are refused, so its records never claim what was not
    trained)."""
    run_dir = config.run_dir
    if resume and overwrite:
        raise RunDirError("--resume and --overwrite contradict each other: choose one")
    exists = (run_dir / "config.yaml").exists()
    if not exists:
        if resume:
            raise RunDirError(f"{run_dir}: no run to resume (start it without --resume)")
        return "new"
    if overwrite:
        return "new"
    if not resume:
        raise RunDirError(
            f"{run_dir} already holds a run; pass --resume to go on or --overwrite to start again"
        )
    old = load_run_config(run_dir)
    old_values, new_values = old.to_dict(), config.to_dict()
    # Training for longer, evaluating differently or checking the clip differently keep the
    # run; anything else makes another. The name is the folder's: a run copied into another
    # folder (to train the copy on) keeps its config under the new name.
    for values in (old_values, new_values):
        values.pop("eval")
        values.pop("check_demo")
        values.pop("name")
        values["policy"] = {
            k: v for k, v in values["policy"].items() if k not in ("total_steps", "buffer_size")
        }
    changed = sorted(k for k in new_values if old_values.get(k) != new_values[k])
    if changed:
        raise RunDirError(
            f"{run_dir} was made with another config ({', '.join(changed)} differ); "
            "name a new run (name=…) or pass --overwrite"
        )
    trained = trained_steps(run_dir)
    if config.policy.total_steps < trained:
        raise RunDirError(
            f"{run_dir} has trained {trained} env steps; resume with policy.total_steps ≥ {trained} "
            "(or name a new run)"
        )
    # Nothing to do once finished, unless asked for more steps or another evaluation.
    same_goal = old.eval == config.eval and old.policy.total_steps == config.policy.total_steps
    return "finished" if (run_dir / "metrics.json").exists() and same_goal else "resume"


def trained_steps(run_dir: Path) -> int:
    """Env steps a run's policy has trained: its finished record's, else its resume point's."""
    record, last = run_dir / "policy" / STAGE_FILE, run_dir / "policy" / "last_model.zip"
    if record.exists():
        return json.loads(record.read_text())["config"]["total_steps"]
    if last.exists():  # SB3's zip keeps its attributes as JSON in "data"
        with zipfile.ZipFile(last) as archive:
            return json.loads(archive.read("data"))["num_timesteps"]
    return 0


def save_run_config(config: RunConfig, resume: bool = False, overwrite: bool = False) -> Path:
    """Create the run folder and write ``config.yaml`` (see ``check_run_dir`` for when an
    existing run folder is refused)."""
    check_run_dir(config, resume, overwrite)
    run_dir = config.run_dir
    if overwrite and run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with atomic_write(run_dir / "config.yaml") as partial:
        partial.write_text(yaml.safe_dump(config.to_dict(), sort_keys=False))
    return run_dir


def load_run_config(run_dir: str | os.PathLike) -> RunConfig:
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise RunDirError(f"{run_dir}: not a run folder (no config.yaml)")
    # the one config reader (same YAML floats, key and type checks); its paths are resolved already
    return load_config(path, paths_from=Path.cwd())
