"""Perception commands: translators, keypoints and their evaluation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lbw.cli.options import config_options, config_path, device_option, output_file, run_config, task_option
from lbw.config import RunConfig
from lbw.envs import TabletopEnv
from lbw.files import atomic_write, write_json
from lbw.video import WRITE_SUFFIXES


def _train_translator(args: argparse.Namespace) -> None:
    from lbw.stages import given_checkpoint, keypoints_stage, stage_of, trained_translator

    config = run_config(args)
    progress = not args.quiet
    # The keypoint prior trains against the config's detector, as in `lbw run`.
    keypoints = given_checkpoint(config.keypoints.checkpoint) or keypoints_stage(config, progress)
    checkpoint = trained_translator(config, args.model, keypoints, progress=progress)
    folder = stage_of(checkpoint)
    print(f"translator stage {folder} (samples in {folder / 'samples'}, log in {folder / 'log.jsonl'})")
    print(f"runs of this config use {checkpoint}")


def _translate(args: argparse.Namespace) -> None:
    from lbw.translation import Translator
    from lbw.video import read_video, write_video

    translator = Translator.load(args.checkpoint, device=args.device)
    translated = translator(read_video(args.clip))
    write_video(args.out, translated, fps=args.fps)
    print(f"wrote {args.out}: {len(translated)} frames translated by {translator.kind}")


def _train_keypoints(args: argparse.Namespace) -> None:
    from lbw.stages import keypoints_stage

    checkpoint = keypoints_stage(run_config(args), progress=not args.quiet)
    folder = checkpoint.parent
    print(f"wrote {checkpoint} (samples in {folder / 'samples'}, log in {folder / 'log.jsonl'})")
    print("runs of this config without keypoints.checkpoint reuse it")


def _keypoints(args: argparse.Namespace) -> None:
    import numpy as np

    from lbw.drawing import draw_keypoints
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.video import read_video, write_video

    detector = KeypointDetector.load(args.checkpoint, device=args.device)
    frames = read_video(args.clip, size=detector.image_size)
    keypoints = detector(frames)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as partial:
        np.save(partial, keypoints)
    print(f"wrote {args.out}: keypoints (T={len(keypoints)}, K={detector.num_keypoints}, 2) in pixels")
    if args.overlay:
        write_video(args.overlay, draw_keypoints(frames, keypoints, scale=4), fps=args.fps)
        print(f"wrote {args.overlay}")


def _eval_perception(args: argparse.Namespace) -> None:
    import imageio.v3 as iio

    from lbw.checkpoint import CheckpointError
    from lbw.config import task_config
    from lbw.evaluation.perception import (
        comparison_picture,
        demos_by_look,
        evaluate_perception,
        looks_picture,
    )
    from lbw.files import training_time_s
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.stages import configured_perception, stage_of, stage_record
    from lbw.translation import Translator

    out = Path(args.out or Path("runs") / args.task / "perception")
    _refuse_overwrite(out / "perception.json", args.overwrite)
    # Defaults: the models `lbw run configs/TASK.yaml` uses (named there, or its shared stages).
    defaults = configured_perception(task_config(args.task), progress=not args.quiet)
    keypoints = args.keypoints or defaults.get("keypoints")
    if keypoints is None:
        raise CheckpointError(
            f"no keypoint detector of {args.task} yet: run `lbw run configs/{args.task}.yaml`"
        )
    checkpoints = {"transporter": Path(keypoints)}
    detector = KeypointDetector.load(keypoints)
    translators = {}
    for model in ("munit", "cyclegan"):
        path = getattr(args, model) or defaults.get(model)
        if path is not None:  # a default that is absent is left out; a named one must exist
            translators[model] = Translator.load(path)
            checkpoints[model] = Path(path)
        else:
            print(f"note: no {model} translator of {args.task} yet; leaving it out")
    # Held out: collected with a seed the training data never used.
    heldout = _dataset(args.task, "robot", args.heldout_data, args.frames, 1000 + args.seed, args.quiet)
    heldout_human = _dataset(args.task, "human", None, args.frames, 1000 + args.seed, args.quiet)
    demos = demos_by_look(args.task, args.demos, args.seed)
    # Where the stage that trained a model is known (not for a shipped model).
    stages = {k: stage for k, p in checkpoints.items() if (stage := stage_of(p)) is not None}
    result = {
        **evaluate_perception(args.task, detector, translators, heldout, demos, heldout_human),
        "training_time_s": {k: training_time_s(stage / "log.jsonl") for k, stage in stages.items()},
        # Stages older than this record were all trained on the CPU.
        "trained_on": {k: stage_record(stage).get("trained_on", "cpu") for k, stage in stages.items()},
        "command": "lbw " + " ".join(sys.argv[1:]),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "perception.json", result)
    iio.imwrite(out / "perception.png", comparison_picture(detector, demos["default"][0], translators))
    iio.imwrite(out / "looks.png", looks_picture(detector, {k: d[0] for k, d in demos.items()}, translators))
    print(json.dumps(result, indent=1))
    print(f"wrote {out / 'perception.json'}, {out / 'perception.png'} and {out / 'looks.png'}")


def _refuse_overwrite(path: Path, overwrite: bool) -> None:
    """A result file is kept unless ``--overwrite``: checked before any work."""
    from lbw.files import RunDirError

    if path.exists() and not overwrite:
        raise RunDirError(f"refusing to overwrite {path}: pass --overwrite, or another --out")


def _config_models(
    args: argparse.Namespace, progress: bool, as_method: bool = False
) -> tuple[RunConfig, Path, Path | None]:
    """The config, keypoint detector and translator a command runs: ``--keypoints`` / ``--translator``,
    else those of ``--config`` (default configs/TASK.yaml), trained or named there. The
    translator is None with ``--no-translation`` (and, ``as_method``, for a config whose method
    translates nothing: ``robot_demo``)."""
    from lbw.checkpoint import CheckpointError
    from lbw.config import load_config, task_config
    from lbw.stages import configured_perception

    config = load_config(config_path(args.config)) if args.config else task_config(args.task)
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
    _refuse_overwrite(out / "check.json", args.overwrite)
    raw = read_video(args.clip)  # errors on a missing, unreadable or empty clip, before any work
    config, keypoints, translator_path = _config_models(args, progress=not args.quiet)
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
    for warning in report.warnings:
        print(f"  WARNING: {warning}")
    if not report.warnings:
        print("  looks in range")
    print(f"wrote {out / 'check.json'} and {out / 'check.mp4'}")
    if args.strict and report.warnings:
        raise DemoError(f"{args.clip}: {len(report.warnings)} warning(s) (--strict)")


def _eval_alignment(args: argparse.Namespace) -> None:
    from lbw.demo import record_demo
    from lbw.evaluation.alignment import alignment_table, reference_error
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.translation import Translator

    out = Path(args.out or Path("runs") / args.task / "alignment")
    _refuse_overwrite(out / "alignment.json", args.overwrite)
    _, keypoints, translator = _config_models(args, progress=False)
    demo = record_demo(args.task, seed=args.seed, appearance=args.appearance)
    result = {
        "task": args.task,
        "keypoints": str(keypoints),
        "translator": str(translator),
        "demo_seed": args.seed,
        "appearance": args.appearance,
        **reference_error(args.task, demo, KeypointDetector.load(keypoints), Translator.load(translator)),
        "command": "lbw " + " ".join(sys.argv[1:]),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "alignment.json", result)
    print(alignment_table([result]))
    print(f"wrote {out / 'alignment.json'}")


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
    _refuse_overwrite(out / "reward.json", args.overwrite)
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
        "command": "lbw " + " ".join(sys.argv[1:]),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "reward.json", result)
    print(ranking_table([result]))
    print(f"wrote {out / 'reward.json'}")


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
    _refuse_overwrite(out / name, args.overwrite)
    result = policy_ranking(run, episodes=args.episodes, progress=not args.quiet, policy_of=args.policy_of)
    result["command"] = "lbw " + " ".join(sys.argv[1:])
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / name, result)
    print(policy_ranking_table([result]))
    print(f"wrote {out / name}")


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


def _perception_table(args: argparse.Namespace) -> None:
    from lbw.evaluation.perception import appearance_summary, appearance_table, perception_table

    results = [json.loads(Path(p).read_text()) for p in args.results]
    if args.looks:
        for path, result in zip(args.results, results, strict=True):
            result.setdefault("label", Path(path).parent.name)
        by_look = [r for r in results if "translation_by_look" in r]
        print(appearance_table(by_look))
        print()
        print(appearance_summary(by_look))
    else:
        print(perception_table(results))


def _dataset(task: str, domain: str, path: str | None, frames: int, seed: int, quiet: bool):
    """The frame dataset at ``path``, or by default the one `lbw run` collects with these
    ``frames`` and ``seed`` (cached in runs/TASK/stages/, keyed by the scene's look)."""
    from lbw.dataset import load_frames
    from lbw.stages import cached_frames

    if path is not None:
        return load_frames(path)
    return cached_frames(task, domain, frames, seed, progress=not quiet)


def _clip_options(p: argparse.ArgumentParser, clip: str, checkpoint: str) -> None:
    """The options of a command that runs a trained model on every frame of a clip."""
    p.add_argument("clip", help=f"{clip} (mp4, gif or a folder of images)")
    p.add_argument("--checkpoint", required=True, help=checkpoint)
    p.add_argument("--fps", type=float, default=30, help="frame rate of the video written (default: 30)")
    device_option(p)


def register(commands: argparse._SubParsersAction) -> None:
    train_tr = commands.add_parser(
        "train-translator",
        help="train a config's human → robot image translator (MUNIT or CycleGAN)",
        description="Train the translator stage `lbw run CONFIG` would train (its data, keypoint "
        "detector for the prior and snapshot selection), in ROOT/TASK/stages/, where runs of the "
        "config find it. An unfinished stage is resumed; a finished one is reused.",
    )
    config_options(train_tr, run_folder=False)
    train_tr.add_argument("--model", choices=("munit", "cyclegan"), default="munit", help="default: munit")
    train_tr.set_defaults(run=_train_translator)

    translate = commands.add_parser(
        "translate",
        help="translate a human clip into the robot domain",
        description="Translate every frame of CLIP (mp4, gif or a folder of images) with a trained "
        "translator and write the result as an mp4 or gif.",
    )
    _clip_options(translate, "the human clip", "a translator.pt from train-translator")
    translate.add_argument(
        "--out", required=True, type=output_file(*WRITE_SUFFIXES), help="output clip (.mp4 or .gif)"
    )
    translate.set_defaults(run=_translate)

    train_kp = commands.add_parser(
        "train-keypoints",
        help="train a config's Transporter keypoint detector on robot frames",
        description="Train the keypoint stage `lbw run CONFIG` would train, in ROOT/TASK/stages/, "
        "where runs of the config find it. An unfinished stage is resumed; a finished one is reused.",
    )
    config_options(train_kp, run_folder=False)
    train_kp.set_defaults(run=_train_keypoints)

    kp = commands.add_parser(
        "keypoints",
        help="extract keypoints from a clip",
        description="Run a trained keypoint detector on every frame of CLIP (mp4, gif or a folder "
        "of images); save (T, K, 2) pixel coordinates and optionally an overlay video.",
    )
    _clip_options(kp, "the clip", "a transporter.pt from train-keypoints")
    kp.add_argument(
        "--out", required=True, type=output_file(".npy"), help="output .npy for the keypoint trajectory"
    )
    kp.add_argument(
        "--overlay",
        default=None,
        type=output_file(*WRITE_SUFFIXES),
        help="also write the clip with keypoints drawn (.mp4/.gif)",
    )
    kp.set_defaults(run=_keypoints)

    ev = commands.add_parser(
        "eval-perception",
        help="measure keypoint quality and translation fidelity against ground truth",
        description="Fit a linear probe from keypoints to ground-truth pixel positions on held-out "
        "robot frames; compare keypoints of translated human demos with their paired "
        "robot clips. Writes OUT/perception.json and OUT/perception.png.",
    )
    task_option(ev)
    stage_default = (
        "(default: the one `lbw run configs/TASK.yaml` uses: named there or trained in runs/TASK/stages/)"
    )
    ev.add_argument("--keypoints", default=None, help=f"transporter.pt {stage_default}")
    ev.add_argument("--munit", default=None, help=f"MUNIT translator.pt {stage_default}")
    ev.add_argument("--cyclegan", default=None, help=f"CycleGAN translator.pt {stage_default}")
    ev.add_argument(
        "--heldout-data",
        default=None,
        help="held-out robot frames (default: collected with seed 1000 + SEED, cached in runs/TASK/stages/)",
    )
    ev.add_argument(
        "--frames", type=int, default=1200, help="held-out frames per embodiment to collect (default: 1200)"
    )
    ev.add_argument("--demos", type=int, default=5, help="demos (seeds SEED…) to compare on (default: 5)")
    ev.add_argument("--seed", type=int, default=0, help="first demo seed (default: 0)")
    ev.add_argument("--out", default=None, help="output folder (default: runs/TASK/perception)")
    ev.add_argument("--overwrite", action="store_true", help="replace an existing OUT/perception.json")
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    ev.set_defaults(run=_eval_perception)

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
    align.add_argument("--appearance", default="default", help="the demonstrator's look (default: default)")
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

    table = commands.add_parser(
        "perception-table",
        help="a markdown table of eval-perception results",
        description="Summarise perception.json files (from eval-perception) as one markdown table.",
    )
    table.add_argument("results", nargs="+", help="perception.json files")
    table.add_argument(
        "--looks",
        action="store_true",
        help="the MUNIT's fidelity per demonstrator look: (a) default, (b) training ranges, (c) held out",
    )
    table.set_defaults(run=_perception_table)
