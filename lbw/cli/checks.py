"""Checks before and after training: a demonstration clip (``check-demo``), the time
alignment (``eval-alignment``), the reward (``eval-reward``), and their tables.

    lbw check-demo my_clip.mp4 --task push
    lbw eval-alignment --task push
    lbw eval-reward --task reach --starts wide
    lbw eval-reward --run runs/drawer_close/lbw_seed0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lbw.cli.options import config_path, one_look, refuse_overwrite, task_option
from lbw.config import RunConfig
from lbw.envs import TabletopEnv
from lbw.files import write_json
from lbw.retiming import VARIANTS


def _config_models(
    args: argparse.Namespace, progress: bool, as_method: bool = False, clip: str | None = None
) -> tuple[RunConfig, Path, Path | None]:
    """The config, keypoint detector and translator a command runs: ``--keypoints`` / ``--translator``,
    else those of ``--config`` (default configs/TASK.yaml), trained or named there (with
    ``translator.alternatives``, the one chosen on ``clip``, default the config's demo). The
    translator is None with ``--no-translation`` (and, ``as_method``, for a config whose method
    translates nothing: ``robot_demo``)."""
    import dataclasses

    from lbw.checkpoint import CheckpointError
    from lbw.config import load_config, task_config
    from lbw.stages import configured_perception

    config = load_config(config_path(args.config)) if args.config else task_config(args.task)
    if clip is not None:
        config = dataclasses.replace(config, demo=clip)
    models = configured_perception(config, progress=progress)
    keypoints = args.keypoints or models.get("keypoints")
    untranslated = getattr(args, "no_translation", False) or (as_method and config.translator_model is None)
    translator = None if untranslated else args.translator or models.get(config.translator_model or "munit")
    if keypoints is None or (translator is None and not untranslated):
        raise CheckpointError(
            f"no trained models for {args.task}: pass --keypoints and --translator, or train them with "
            f"`lbw run configs/{args.task}.yaml`"
        )
    return config, Path(keypoints), None if translator is None else Path(translator)


def _model_options(p: argparse.ArgumentParser) -> None:
    """--config, --keypoints, --translator: the models a command runs (``_config_models``)."""
    p.add_argument(
        "--config",
        default=None,
        help="the run config whose models to use: a file or a shipped config's name (default: TASK's)",
    )
    p.add_argument("--keypoints", default=None, help="transporter.pt (default: the config's)")
    p.add_argument(
        "--translator", default=None, help="translator.pt (default: the config's, or its task's MUNIT)"
    )


def _check_demo(args: argparse.Namespace) -> None:
    import numpy as np

    from lbw.demo import DemoError
    from lbw.drawing import draw_keypoints, label_strip
    from lbw.evaluation.demo_check import check_clip
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator
    from lbw.video import read_video, resize, write_video

    out = Path(args.out or Path("runs") / args.task / "check_demo" / Path(args.clip).stem)
    refuse_overwrite(out / "check.json", args.overwrite)
    raw = read_video(args.clip)  # errors on a missing, unreadable or empty clip, before any work
    config, keypoints, translator_path = _config_models(args, not args.quiet, clip=str(args.clip))
    detector = KeypointDetector.load(keypoints)
    translator = None if translator_path is None else Translator.load(translator_path)
    clip = resize(raw, detector.image_size)
    report, translated, points = check_clip(raw, config, detector, translator, progress=not args.quiet)
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "clip": str(args.clip),
        "task": args.task,
        "keypoints": str(keypoints),
        "translator": None if translator is None else str(translator_path),
        **report.to_json(),
    }
    write_json(out / "check.json", record)
    scale = 4
    flagged = np.zeros(len(clip), bool)
    flagged[report.out_of_range_frames] = True
    left = draw_keypoints(clip, np.full((len(clip), 0, 2), np.nan), scale)
    right = draw_keypoints(translated, points, scale)
    right[flagged, :4] = right[flagged, -4:] = (220, 30, 30)  # a red bar: keypoints out of range
    width = clip.shape[2] * scale
    header = np.concatenate(
        [label_strip("clip", width), label_strip("translated + keypoints", width)], axis=1
    )
    frames = [
        np.concatenate([header, np.concatenate([a, b], axis=1)], axis=0)
        for a, b in zip(left, right, strict=True)
    ]
    write_video(out / "check.mp4", frames, fps=args.fps)
    print(
        f"{args.clip}: {report.frames} frames ({report.moving_frames} moving, {report.still_frames} still), "
        f"pace {report.pace_ratio:.2f}× the robot's, motion ends at step {report.motion_ends_at_step} "
        f"of {report.episode_steps - 1}"
    )
    print(
        f"  keypoints out of range in {len(report.out_of_range_frames)} of {report.frames} frames "
        f"(> {report.range_threshold_px:.1f} px from every robot frame); unpaired keypoint gap "
        f"{report.unpaired_gap_px:.1f} px (the paired robot clip's: {report.reference_gap_px} px)"
    )
    for flag, warning in zip(report.flags, report.warnings, strict=True):
        print(f"  WARNING ({flag}): {warning}")
    if not report.warnings:
        print("  looks in range")
    print(f"wrote {out / 'check.json'} and {out / 'check.mp4'}")
    if args.strict and report.warnings:
        raise DemoError(f"{args.clip}: {len(report.warnings)} warning(s) (--strict)")


def _save(path: Path, result: dict[str, Any], table: Callable[[list[dict[str, Any]]], str]) -> None:
    """Write a check's ``result`` (with the command that made it) to ``path`` and print it as
    ``table`` prints such results."""
    result["command"] = "lbw " + " ".join(sys.argv[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, result)
    print(table([result]))
    print(f"wrote {path}")


def _variants(value: str) -> list[str]:
    """A ``--variants`` value (comma-separated timing variants), checked when the command line is read."""
    from lbw.evaluation.alignment import check_variants

    variants = value.split(",")
    try:
        check_variants(variants)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return variants


def _eval_alignment(args: argparse.Namespace) -> None:
    from lbw.demo import record_demo
    from lbw.evaluation.alignment import alignment_table, reference_error
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator

    out = Path(args.out or Path("runs") / args.task / "alignment")
    variants = args.variants or VARIANTS
    refuse_overwrite(out / "alignment.json", args.overwrite)
    _, keypoints, translator = _config_models(args, progress=False)
    demo = record_demo(args.task, seed=args.seed, appearance=args.appearance)
    result = {
        "task": args.task,
        "keypoints": str(keypoints),
        "translator": str(translator),
        "demo_seed": args.seed,
        "appearance": args.appearance,
        **reference_error(
            args.task, demo, KeypointDetector.load(keypoints), Translator.load(translator), variants
        ),
    }
    _save(out / "alignment.json", result, alignment_table)


def _eval_reward(args: argparse.Namespace) -> None:
    from lbw.evaluation.reward import ranking_table, reward_ranking
    from lbw.policy.methods import method_env_factory

    if args.run_dir:
        _eval_run_reward(args)
        return
    if args.policy_of:
        from lbw.config import ConfigError

        raise ConfigError("--policy-of goes with --run")
    out = Path(args.out or Path("runs") / args.task / "reward" / args.starts)
    refuse_overwrite(out / "reward.json", args.overwrite)
    config, keypoints, translator = _config_models(args, progress=False, as_method=True)
    stages = {"keypoints": str(keypoints)} | ({"translator": str(translator)} if translator else {})
    factory = method_env_factory(config, stages)
    result = {
        **reward_ranking(
            args.task,
            factory.demonstration,
            factory.detector,
            starts=args.starts,
            episodes=args.episodes,
            progress=not args.quiet,
        ),
        "keypoints": str(keypoints),
        "translator": None if translator is None else str(translator),
        "alignment": config.alignment,
    }
    _save(out / "reward.json", result, ranking_table)


def _eval_run_reward(args: argparse.Namespace) -> None:
    """``eval-reward --run RUN``: the run's reward on its own policy against the scripted success."""
    from lbw.config import ConfigError
    from lbw.evaluation.reward import policy_ranking, policy_ranking_table
    from lbw.files import RunDirError

    if args.config or args.keypoints or args.translator:
        raise ConfigError(
            "--run uses the run's own config and models: drop --config, --keypoints, --translator"
        )
    run = Path(args.run_dir)
    if not (run / "config.yaml").is_file():
        raise RunDirError(f"{run}: not a run folder (no config.yaml)")
    name = "reward.json" if args.policy_of is None else f"reward_policy-of-{Path(args.policy_of).name}.json"
    out = Path(args.out) if args.out else run
    refuse_overwrite(out / name, args.overwrite)
    result = policy_ranking(run, episodes=args.episodes, progress=not args.quiet, policy_of=args.policy_of)
    _save(out / name, result, policy_ranking_table)


def _reward_table(args: argparse.Namespace) -> None:
    from lbw.evaluation.reward import policy_ranking_table, ranking_table

    results = [json.loads(Path(p).read_text()) for p in args.results]
    tables = [
        table([r for r in results if ("run" in r) == of_runs])
        for table, of_runs in ((ranking_table, False), (policy_ranking_table, True))
        if any(("run" in r) == of_runs for r in results)
    ]
    print("\n\n".join(tables))


def _alignment_table(args: argparse.Namespace) -> None:
    from lbw.evaluation.alignment import alignment_table

    print(alignment_table([json.loads(Path(p).read_text()) for p in args.results]))


def register(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check-demo",
        help="check a demonstration clip before training on it",
        description="Translate CLIP as `lbw run` would, extract its keypoints and report what needs "
        "no paired clip: frames whose keypoints no robot frame has (a lost arm or gripper), the "
        "unpaired keypoint gap, the motion and pace the time alignment finds. Writes "
        "OUT/check.json and OUT/check.mp4 (clip | translated with keypoints; a red bar marks "
        "out-of-range frames) and warns when the clip looks out of range.",
    )
    check.add_argument("clip", help="the demonstration clip (mp4, gif or a folder of images)")
    task_option(check)
    _model_options(check)
    check.add_argument("--no-translation", action="store_true", help="check the clip untranslated")
    check.add_argument("--out", default=None, help="output folder (default: runs/TASK/check_demo/CLIP_NAME)")
    check.add_argument("--fps", type=float, default=30, help="frame rate of check.mp4 (default: 30)")
    check.add_argument("--strict", action="store_true", help="exit with an error when there are warnings")
    check.add_argument("--overwrite", action="store_true", help="replace an existing OUT/check.json")
    check.add_argument("--quiet", action="store_true", help="no progress bar")
    check.set_defaults(run=_check_demo)

    align = commands.add_parser(
        "eval-alignment",
        help="measure how a re-timed demo changes the reward's reference",
        description="Render the scripted demo again at other paces (idle start or end, 0.5× and "
        "2× pace, a pause, an uneven pace, a mix; and wider frames), and compare each clip's "
        "reference (pace and uniform alignment) with the scripted clip's, in keypoint px, for the "
        "translated clip and the paired robot clip. Writes OUT/alignment.json.",
    )
    task_option(align)
    _model_options(align)
    align.add_argument("--seed", type=int, default=0, help="demo seed (default: 0)")
    align.add_argument(
        "--appearance", type=one_look, default="default", help="the demonstrator's look (default: default)"
    )
    align.add_argument(
        "--variants",
        type=_variants,
        default=None,
        help=f"comma-separated timing variants to measure (default: all: {','.join(VARIANTS)})",
    )
    align.add_argument("--out", default=None, help="output folder (default: runs/TASK/alignment)")
    align.add_argument("--overwrite", action="store_true", help="replace an existing OUT/alignment.json")
    align.set_defaults(run=_eval_alignment)

    reward = commands.add_parser(
        "eval-reward",
        help="check that the keypoint reward prefers success, before training",
        description="On evaluation episodes, score two robot trajectories with the task's keypoint "
        "reward (the config's clip and models): the scripted demonstrator acting on the episode "
        "(it succeeds) and the demo episode's actions replayed open loop (it fails where the start "
        "differs). Reports, per reward norm, how often the success is ranked above the replay. "
        "With --run, after training: how often the run's reward ranks the success above the run's "
        "own policy where that fails. Writes OUT/reward.json.",
    )
    task_option(reward)
    _model_options(reward)
    reward.add_argument(
        "--starts", choices=TabletopEnv.STARTS, default="wide", help="initial-state spread (default: wide)"
    )
    reward.add_argument(
        "--episodes", type=int, default=30, help="evaluation episodes, seeds 10000+i (default: 30)"
    )
    reward.add_argument(
        "--run",
        dest="run_dir",
        default=None,
        metavar="RUN",
        help="a trained run: rank its kept policy against the scripted success with the run's own "
        "reward, clip, models and starts (writes RUN/reward.json)",
    )
    reward.add_argument(
        "--policy-of",
        default=None,
        metavar="RUN2",
        help="with --run: rank RUN2's kept policy in RUN's env instead (e.g. one that learned the "
        "task from another clip)",
    )
    reward.add_argument(
        "--out", default=None, help="output folder (default: runs/TASK/reward/STARTS, or RUN with --run)"
    )
    reward.add_argument("--overwrite", action="store_true", help="replace an existing OUT/reward.json")
    reward.add_argument("--quiet", action="store_true", help="no progress bar")
    reward.set_defaults(run=_eval_reward)

    reward_table = commands.add_parser(
        "reward-table",
        help="a markdown table of eval-reward results",
        description="Summarise reward.json files (from eval-reward) as one markdown table.",
    )
    reward_table.add_argument("results", nargs="+", help="reward.json files")
    reward_table.set_defaults(run=_reward_table)

    align_table = commands.add_parser(
        "alignment-table",
        help="a markdown table of eval-alignment results",
        description="Summarise alignment.json files (from eval-alignment) as one markdown table.",
    )
    align_table.add_argument("results", nargs="+", help="alignment.json files")
    align_table.set_defaults(run=_alignment_table)
