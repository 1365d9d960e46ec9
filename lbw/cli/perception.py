"""Perception commands: translators, keypoints and their evaluation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lbw.cli.options import (
    config_options,
    device_option,
    output_file,
    refuse_overwrite,
    run_config,
    task_option,
)
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
    for picture in sorted(folder.glob("selection-*.png")):
        print(f"the snapshot choice, per update: {picture}")
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
    refuse_overwrite(out / "perception.json", args.overwrite)
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
