"""Simulation commands: demos, datasets, benchmarks, pictures."""

from __future__ import annotations

import argparse
from dataclasses import asdict, replace
from pathlib import Path

from tqdm.auto import tqdm

from lbw.cli.options import common, device_option, one_look, share, task_option
from lbw.config import PolicyConfig, task_config
from lbw.envs import EMBODIMENTS, TASKS, TabletopEnv
from lbw.envs.appearance import HELD_OUT, VARIED
from lbw.files import write_json
from lbw.methods import method_names
from lbw.retiming import TIMINGS


def _demo(args: argparse.Namespace) -> None:
    from lbw.demo import record_demo

    demo = record_demo(args.task, seed=args.seed, image_size=args.image_size, appearance=args.appearance)
    if args.timing != "scripted" or args.width:
        from lbw.retiming import TIMINGS, retime_demo

        demo = retime_demo(demo, TIMINGS[args.timing](len(demo.human_frames)), width=args.width)
        demo.meta["command"] += f" --timing {args.timing}" + (f" --width {args.width}" if args.width else "")
    paths = demo.save(args.out, overwrite=args.overwrite)
    print(f"{args.task}: human demo succeeded ({len(demo.human_frames)} frames)")
    for kind, path in paths.items():
        print(f"  {kind:8s} {path}")


def _collect(args: argparse.Namespace) -> None:
    from lbw.dataset import DatasetError, collect_frames

    out = Path(args.out or f"data/{args.task}_{args.domain}.npz")
    if out.exists() and not args.overwrite:  # fail before the work, not after it
        raise DatasetError(f"refusing to overwrite {out} (pass --overwrite)")
    data = collect_frames(
        args.task,
        args.domain,
        args.frames,
        seed=args.seed,
        image_size=args.image_size,
        progress=not args.quiet,
        appearance=args.appearance,
        quiet_demos=args.quiet_demos,
        starts=args.starts,
    )
    data.save(out, overwrite=args.overwrite)
    print(f"wrote {len(data)} frames from {data.meta['num_episodes']} episodes to {out}")


def _bench_policy_config(task: str, n_envs: int | None, overlap: bool | None = None) -> PolicyConfig:
    """The task config's policy settings, with ``n_envs`` training envs and ``overlap_updates``
    if given (``replace`` re-checks them: an ``n_envs`` that cannot keep the update ratio is a
    ``ConfigError``)."""
    policy = task_config(task).policy
    if n_envs is not None:
        policy = replace(policy, n_envs=n_envs)
    return policy if overlap is None else replace(policy, overlap_updates=overlap)


def _bench(args: argparse.Namespace) -> None:
    from lbw import bench

    if args.target == "models":
        rows: list = bench.bench_models(repeats=args.repeats, device=args.device)
        table = bench.models_table(rows)
    elif args.target == "sac":
        rows = [bench.bench_sac(device=args.device, steps=args.steps, repeats=args.repeats)]
        table = bench.sac_table(rows)
    elif args.target == "policy":
        overlaps = [{"on": True, "off": False}[o] for o in args.overlap] if args.overlap else [None]
        grid = [
            (t, m, n, o)
            for t in args.tasks
            for m in args.methods
            for n in args.n_envs or [None]
            for o in overlaps
        ]
        rows = [
            bench.bench_policy(t, m, repeats=args.repeats, policy=_bench_policy_config(t, n, o))
            for t, m, n, o in tqdm(grid, disable=args.quiet)
        ]
        table = bench.policy_table(rows)
    else:
        grid = [(t, e) for t in args.tasks for e in args.embodiments]
        rows = []
        for task, embodiment in tqdm(grid, desc=f"bench {args.target}", disable=args.quiet):
            if args.target == "env":
                rows.append(bench.bench_env(task, embodiment, steps=args.steps, repeats=args.repeats))
            else:
                rows.append(bench.bench_demos(task, embodiment, seeds=args.seeds, starts=args.starts))
        table = bench.env_table(rows) if args.target == "env" else bench.demos_table(rows)
    print(table)
    if args.json:
        write_json(Path(args.json), [asdict(r) for r in rows])


def _gallery(args: argparse.Namespace) -> None:
    from lbw.gallery import write_gallery

    for path in write_gallery(args.out, image_size=args.image_size, seed=args.seed):
        print(f"wrote {path}")


def _appearances(value: str) -> str:
    """``--appearance`` of ``lbw collect``: one look, or a name of ranges to draw one per episode from."""
    return value if value in VARIED else one_look(value)


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="record a human demonstration clip and its paired robot clip",
        description="Run the scripted human demonstrator, replay it with the robot, and write "
        "TASK_human.mp4, TASK_robot.mp4 and TASK_demo.json (per-frame ground truth).",
    )
    task_option(demo)
    common(demo)
    demo.add_argument("--out", default="videos", help="output folder (default: videos/)")
    demo.add_argument(
        "--timing",
        choices=tuple(TIMINGS),
        default="scripted",
        help="the demonstrator's pace: scripted (default), or the same motion re-timed — idle_start, "
        "idle_end, slow (0.5×), fast (2×), pause, uneven (first half 1.5× slower), user (a mix)",
    )
    demo.add_argument(
        "--width",
        type=int,
        default=None,
        help="film wider frames (IMAGE_SIZE × WIDTH), the usual view in the centre",
    )
    demo.add_argument(
        "--appearance",
        type=one_look,
        default="default",
        help="the demonstrator's look: default (the shipped clips'), a held-out preset "
        f"({', '.join(HELD_OUT)}) or an integer seed (a look from the training ranges)",
    )
    demo.set_defaults(run=_demo)

    collect = commands.add_parser(
        "collect",
        help="render an unpaired frame dataset of one embodiment",
        description="Render frames of randomised motions (that also move the objects) of one "
        "embodiment into a compressed .npz with per-frame ground-truth pixels.",
    )
    task_option(collect)
    collect.add_argument("--domain", choices=EMBODIMENTS, required=True, help="which embodiment")
    collect.add_argument("--frames", type=int, default=5000, help="number of frames (default: 5000)")
    collect.add_argument("--out", default=None, help="output .npz (default: data/TASK_DOMAIN.npz)")
    collect.add_argument(
        "--appearance",
        type=_appearances,
        default="varied",
        help="human frames: "
        + ", ".join(f"{name} ({ranges.about})" for name, ranges in VARIED.items())
        + "; default: varied. Or one look throughout: default, a preset name or a seed",
    )
    collect.add_argument(
        "--quiet-demos",
        type=share,
        default=0.0,
        help="share of episodes in which the demonstrator acts with light noise, reaching the goal "
        "states (config key data.quiet_demos; default: 0)",
    )
    collect.add_argument(
        "--starts",
        choices=TabletopEnv.STARTS,
        default="default",
        help="where the episodes start (config key data.starts; default: default)",
    )
    collect.add_argument("--quiet", action="store_true", help="no progress bar")
    common(collect)
    collect.set_defaults(run=_collect)

    bench = commands.add_parser(
        "bench",
        help="measure simulation, model and policy-training speed, or demonstrator reliability",
        description="env: median render time and env steps/s with and without rendering. "
        "demos: scripted demonstrator success over seeded initial states. models: training and "
        "inference time of the perception models. policy: env and SAC training steps/s per method. "
        "sac: SAC training steps/s on a synthetic env (the learner alone, on --device).",
    )
    bench.add_argument("target", choices=("env", "demos", "models", "policy", "sac"), help="what to measure")
    bench.add_argument(
        "--tasks",
        nargs="+",
        choices=TASKS,
        default=list(TASKS),
        metavar="TASK",
        help=f"tasks (default: all of {', '.join(TASKS)})",
    )
    bench.add_argument(
        "--embodiments",
        nargs="+",
        choices=EMBODIMENTS,
        default=list(EMBODIMENTS),
        metavar="EMBODIMENT",
        help="embodiments (default: robot human)",
    )
    bench.add_argument(
        "--methods",
        nargs="+",
        choices=method_names(),
        default=["lbw", "pixel", "oracle"],
        metavar="METHOD",
        help="policy: methods (default: lbw pixel oracle)",
    )
    bench.add_argument(
        "--n-envs",
        nargs="+",
        type=int,
        default=None,
        metavar="N",
        help="policy: training envs to time (default: the task config's policy.n_envs)",
    )
    bench.add_argument(
        "--overlap",
        nargs="+",
        choices=["on", "off"],
        default=None,
        help="policy: updates while the envs step, or not (default: the task config's "
        "policy.overlap_updates)",
    )
    bench.add_argument("--steps", type=int, default=300, help="env, sac: steps per timed run (default: 300)")
    bench.add_argument(
        "--repeats", type=int, default=5, help="timed runs; the median is reported (default: 5)"
    )
    device_option(bench)  # models, sac
    bench.add_argument("--seeds", type=int, default=100, help="demos: seeded episodes (default: 100)")
    bench.add_argument(
        "--starts", choices=TabletopEnv.STARTS, default="default", help="demos: initial-state spread"
    )
    bench.add_argument("--json", default=None, help="also write the rows to this JSON file")
    bench.add_argument("--quiet", action="store_true", help="no progress bar")
    bench.set_defaults(run=_bench)

    gallery = commands.add_parser(
        "gallery",
        help="render the task grid picture and a side-by-side demo gif",
        description="Write OUT/tasks.png (every task, human and paired robot frames) and "
        "OUT/push_pair.gif (the push demo, human | robot).",
    )
    gallery.add_argument("--out", default="docs", help="output folder (default: docs/)")
    gallery.add_argument("--image-size", type=int, default=128, help="frame side in pixels (default: 128)")
    gallery.add_argument("--seed", type=int, default=0, help="demo seed (default: 0)")
    gallery.set_defaults(run=_gallery)
