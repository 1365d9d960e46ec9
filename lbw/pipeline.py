"""Every stage of a run, from data to evaluation, with reuse of what is already made.

    lbw run configs/push.yaml                 # data → translator → keypoints → policy → evaluation
    lbw run configs/push.yaml policy.seed=1   # another seed: the perception stages are reused

    from lbw.config import load_config
    from lbw.pipeline import run_pipeline
    metrics = run_pipeline(load_config("configs/push.yaml"))

Layout (``ROOT`` = ``config.root``; the shared perception stages in ROOT/TASK/stages/, see
``lbw.stages``):

    ROOT/TASK/NAME/config.yaml                      the resolved run config
    ROOT/TASK/NAME/stages.json                      the shared stages this run used
    ROOT/TASK/NAME/policy/                          SAC: best_model.zip, evaluations.jsonl, …
    ROOT/TASK/NAME/eval/                            eval_info.json, videos/
    ROOT/TASK/NAME/metrics.json                     success rate, wall time of each stage

A run folder is never overwritten: ``resume`` goes on with it, ``overwrite`` starts it again.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lbw.config import RunConfig
from lbw.files import training_time_s, write_json
from lbw.preflight import check_run_clip, preflight
from lbw.run_dir import check_run_dir, run_lock, save_run_config
from lbw.stages import STAGE_FILE, perception_stages, stage_of, stage_record

if TYPE_CHECKING:
    from lbw.policy.methods import MethodEnvFactory


def policy_stage(
    config: RunConfig,
    stages: dict[str, str],
    resume: bool = False,
    progress: bool = True,
    env_factory: MethodEnvFactory | None = None,
) -> Path:
    """Train SAC in ``RUN/policy`` (nothing to train for a method that does not learn); returns
    the folder. ``env_factory``: the method's env as the caller built it (default: built here)."""
    from lbw.policy.callbacks import EVALUATIONS
    from lbw.policy.methods import method_env_factory
    from lbw.policy.sac import train_sac

    folder = config.run_dir / "policy"
    record_file = folder / STAGE_FILE
    if not config.method_spec.learns:
        return folder
    if record_file.exists():
        if json.loads(record_file.read_text())["config"]["total_steps"] >= config.policy.total_steps:
            return folder
        record_file.unlink()  # asked for more steps: train on from the last checkpoint
        resume = True
    make_env = env_factory or method_env_factory(config, stages)
    train_sac(
        make_env, config.policy, folder, resume=resume, progress=progress, tensorboard=config.tensorboard
    )
    # Training wall time over every session of an interrupted and resumed run.
    record = {"config": config.policy.__dict__, "build_wall_time_s": training_time_s(folder / EVALUATIONS)}
    write_json(folder / STAGE_FILE, record)
    return folder


@contextmanager
def opened_run(
    config: RunConfig, resume: bool = False, overwrite: bool = False, progress: bool = True
) -> Iterator[dict[str, str] | None]:
    """A run folder held by this process and ready for its policy; yields its perception stages
    (``{stage: checkpoint}``, also in ``RUN/stages.json``), or None when the run has finished
    with this config (nothing to do).

    Everything that can be checked without training is checked first (``lbw.preflight``: a
    failed check writes nothing); then the folder is locked (``run_lock``: another process on
    it is an error), its config saved, its stages built or reused and, before a policy first
    trains, its demo clip checked. A new run that fails before its policy trains leaves no
    folder behind to block the retry (the shared stages keep what was trained)."""
    preflight(config, resume, overwrite)  # before the lock: a failed check writes nothing
    with run_lock(config):
        run_dir = config.run_dir
        state = check_run_dir(config, resume, overwrite)  # again, held: another process may have moved it on
        if state == "finished":
            yield None
            return
        save_run_config(config, resume=resume, overwrite=overwrite)
        try:
            stages = perception_stages(config, progress)
            write_json(run_dir / "stages.json", stages)
            if not (run_dir / "policy").exists():
                check_run_clip(config, stages, progress)
        except BaseException:
            if state == "new" and not (run_dir / "policy").exists():
                shutil.rmtree(run_dir, ignore_errors=True)
            raise
        yield stages


def run_pipeline(
    config: RunConfig, resume: bool = False, overwrite: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Every stage of one run (``opened_run``, then the policy and its evaluation); returns (and
    writes to ``RUN/metrics.json``) its summary."""
    from lbw.evaluation.policy import evaluate_run
    from lbw.policy.methods import method_env_factory

    run_dir = config.run_dir
    start = time.perf_counter()
    with opened_run(config, resume, overwrite, progress) as stages:
        if stages is None:
            print(f"{run_dir} has finished with this config: nothing to do", flush=True)
            return json.loads((run_dir / "metrics.json").read_text())
        # One demonstration (the clip read, translated and aligned once) for training and evaluation.
        env_factory = method_env_factory(config, stages)
        policy_stage(config, stages, resume=resume, progress=progress, env_factory=env_factory)
        info = evaluate_run(run_dir, progress=progress, env_factory=env_factory)
        metrics = {
            "task": config.task,
            "method": config.method,
            "seed": config.policy.seed,
            **info["aggregated"],
            "env_steps": config.policy.total_steps if config.method_spec.learns else 0,
            "wall_time_s": stage_wall_times(run_dir, stages),
            "run_wall_time_s": round(time.perf_counter() - start, 1),
            "videos": info["videos"],
        }
        write_json(run_dir / "metrics.json", metrics)
    return metrics


def stage_wall_times(run_dir: Path, stages: dict[str, str]) -> dict[str, float]:
    """Wall time each stage took when it was built (a reused stage keeps its first time)."""
    times = {}
    for name, checkpoint in stages.items():
        folder = stage_of(checkpoint)
        if folder is not None:  # a checkpoint named in the config was built elsewhere
            times[name] = stage_record(folder)["build_wall_time_s"]
    for name in ("policy", "eval"):
        if (run_dir / name / STAGE_FILE).exists():
            times[name] = stage_record(run_dir / name)["build_wall_time_s"]
    return times
