"""Policy commands: train SAC on a method's reward, evaluate a run, run every stage."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lbw.cli.options import config_options, count, run_config
from lbw.config import config_keys


def _print_result(run_dir: Path, info: dict) -> None:
    aggregated = info["aggregated"]
    print(
        f"success rate {aggregated['success_rate']:.2f} over {aggregated['episodes']} episodes "
        f"(mean return {aggregated['mean_return']:.1f})"
    )
    print(f"results: {run_dir / 'eval' / 'eval_info.json'}")
    for video in info["videos"]:
        print(f"video:   {video}")


def _train_policy(args: argparse.Namespace) -> None:
    from lbw.pipeline import opened_run, policy_stage

    config = run_config(args)
    with opened_run(config, args.resume, args.overwrite, progress=not args.quiet) as stages:
        if stages is None:
            print(f"{config.run_dir} has finished with this config: nothing to do")
            return
        folder = policy_stage(config, stages, resume=args.resume, progress=not args.quiet)
    print(f"policy in {folder}; evaluate it with: lbw evaluate {config.run_dir}")


def _evaluate(args: argparse.Namespace) -> None:
    from lbw.evaluation.policy import evaluate_run

    info = evaluate_run(args.run_dir, episodes=args.episodes, record=args.record, progress=not args.quiet)
    _print_result(Path(args.run_dir), info)


def _run(args: argparse.Namespace) -> None:
    from lbw.pipeline import run_pipeline

    config = run_config(args)
    metrics = run_pipeline(config, resume=args.resume, overwrite=args.overwrite, progress=not args.quiet)
    print(f"{config.task} / {config.method}: wall time {metrics['run_wall_time_s']:.0f} s")
    _print_result(config.run_dir, {"aggregated": metrics, "videos": metrics["videos"]})


def _sweep(args: argparse.Namespace) -> int:
    from lbw.evaluation.report import collect_runs, headline_table, results_table, write_report
    from lbw.sweep import load_sweep, progress_table, run_sweep

    sweep = load_sweep(args.sweep)
    points = run_sweep(sweep, workers=args.workers, address=args.address, progress=not args.quiet)
    print(progress_table(points))
    finished = [str(p.run_dir) for p in points if p.state in ("done", "skipped")]
    if sweep.report and finished:
        runs = collect_runs(finished)
        page = write_report(runs, sweep.report)
        print(headline_table(runs), results_table(runs), sep="\n\n")
        print(f"wrote {page}")
    failed = [p for p in points if p.state == "failed"]
    for point in failed:
        print(f"failed: {point.label}: {point.error}", file=sys.stderr)
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> None:
    from lbw.evaluation.report import collect_runs, headline_table, merge_runs, results_table, write_report
    from lbw.files import RunDirError

    if args.drop and not args.add:  # a usage error: said before any run folder is read
        raise RunDirError("--drop removes runs an earlier report recorded: use it with --add")
    runs = collect_runs(args.runs)
    fresh = {r["run_dir"] for r in runs}
    if args.add:
        runs = merge_runs(Path(args.out) / "runs.json", runs, drop=args.drop)
    page = write_report(runs, args.out, videos=not args.no_videos, fresh=fresh)
    print(headline_table(runs), results_table(runs), sep="\n\n")
    print(f"wrote {page} and the learning curves next to it")


def config_keys_help() -> str:
    """Every config key with its default and allowed values, for ``--help``."""
    rows = config_keys()
    width = max(len(key) for key, _, _ in rows)
    shown = [(key, d if isinstance(d, str) else json.dumps(d), allowed) for key, d, allowed in rows]
    lines = [f"  {key:<{width}}  {allowed}  (default: {default})" for key, default, allowed in shown]
    return "config keys (in the YAML file or as KEY=VALUE):\n" + "\n".join(lines)


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="every stage of a run: data → translator → keypoints → policy → evaluation",
        description="Run every stage of a config. Every input is checked before any work; "
        "perception stages whose config and inputs are unchanged are reused (also across runs); "
        "a finished run is never overwritten: --resume goes on with it (Ctrl-C saves where it "
        "stopped), --overwrite starts again. Prints the success rate and the videos.",
        epilog=config_keys_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config_options(run)
    run.set_defaults(run=_run)

    train = commands.add_parser(
        "train-policy",
        help="train the SAC policy of a run (perception stages are built or reused first)",
        description="Train Soft Actor-Critic on the config's method and task, in RUN/policy/: "
        "best_model.zip (by evaluation success), evaluations.jsonl, progress.csv, checkpoints.",
    )
    config_options(train)
    train.set_defaults(run=_train_policy)

    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a run's best policy on ground-truth success and record videos",
        description="Roll the run's best policy out on seeded episodes (seeds 10000+i) and write "
        "RUN/eval/eval_info.json and side-by-side videos (human demo | demo in the robot domain "
        "| robot rollout, keypoints drawn).",
    )
    evaluate.add_argument("run_dir", metavar="RUN", help="a run folder (runs/TASK/NAME)")
    evaluate.add_argument(
        "--episodes", type=count(1), default=None, help="episodes, ≥ 1 (default: the config's, 50)"
    )
    evaluate.add_argument(
        "--record",
        type=count(0),
        nargs="?",
        const=2,
        default=0,
        metavar="N",
        help="write side-by-side videos of the first N episodes (N default: 2; none without --record)",
    )
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(run=_evaluate)

    sweep = commands.add_parser(
        "sweep",
        help="many runs with one command: a grid of overrides over configs, on Ray",
        description="Run every point of a sweep file (configs × a grid of overrides; see "
        "lbw.sweep) as an `lbw run`, on a local Ray instance or an existing Ray cluster "
        "(--address). The perception stages the points share are built first, then the "
        "policies run in parallel. Finished runs are skipped and interrupted ones resumed: "
        "running the same command again goes on. A failing point is reported with its error "
        "and the others go on; the exit code is 1 if any failed. At the end, `lbw report` of "
        "the sweep's runs goes to the file's `report` folder.",
    )
    sweep.add_argument("sweep", metavar="SWEEP", help="a sweep file (configs/sweeps/NAME.yaml)")
    sweep.add_argument(
        "--workers", type=count(1), default=None, help="runs at a time on this machine (default: its cores)"
    )
    sweep.add_argument(
        "--address", default=None, help="an existing Ray cluster's address (default: a local Ray instance)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress table while it runs")
    sweep.set_defaults(run=_sweep, resumes_by_rerun=True)

    report = commands.add_parser(
        "report",
        help="results table, learning curves and videos from finished run folders",
        description="Summarise finished runs (their metrics.json and evaluations.jsonl): "
        "OUT/results.md with success mean ± std over seeds per task and method, "
        "OUT/curves_TASK.png, OUT/runs.json, and the best lbw run's video per task.",
    )
    report.add_argument("runs", nargs="+", metavar="RUN", help="run folders (runs/TASK/NAME)")
    report.add_argument("--out", default="results/policy", help="output folder (default: results/policy)")
    report.add_argument(
        "--no-videos",
        action="store_true",
        help="no videos (e.g. for an ablation whose best lbw video is elsewhere)",
    )
    report.add_argument(
        "--add",
        action="store_true",
        help="add the runs to those of OUT/runs.json (a run of the same folder is replaced; the "
        "others keep the pages made of them, even where their folder now holds another run)",
    )
    report.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="PATTERN",
        help="with --add: remove the recorded runs whose folder matches this glob pattern "
        "(e.g. 'runs/push/lbw_seed*' when new runs replace them; repeatable)",
    )
    report.set_defaults(run=_report)
