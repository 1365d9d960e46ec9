"""The ``lbw`` command line.

    lbw demo --task push --seed 0 --out videos/
    lbw collect --task push --domain robot --frames 5000 --out data/push_robot.npz
    lbw bench env
    lbw bench demos --seeds 100
    lbw bench models
    lbw train-keypoints reach [keypoints.iterations=5000 …]     # lbw run's keypoint stage
    lbw keypoints videos/push_robot.mp4 --checkpoint models/push/transporter.pt --out kp.npy
    lbw train-translator reach --model munit                    # lbw run's translator stage
    lbw translate videos/push_human.mp4 --checkpoint models/push/translator_munit.pt --out t.mp4
    lbw eval-perception --task push
    lbw gallery --out docs/
    lbw run quickstart                                          # a shipped config, by name
    lbw run configs/push.yaml [policy.seed=1 …] [--resume | --overwrite]
    lbw train-policy configs/push.yaml method=oracle
    lbw evaluate runs/push/lbw_seed0 --episodes 50 --record 2

``lbw <command> --help`` explains every option.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from lbw.cli import checks, perception, policy, simulation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lbw", description="Learning by Watching: teach a simulated robot arm from one human video."
    )
    from lbw import __version__

    parser.add_argument("--version", action="version", version=f"lbw {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (simulation, perception, checks, policy):
        group.register(commands)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; ``key=value`` overrides may also come after the options
    (``lbw run CONFIG --resume policy.total_steps=9000``)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        overrides = [a for a in extra if "=" in a and not a.startswith("-")]
        if hasattr(args, "overrides") and len(overrides) == len(extra):
            args.overrides = [*args.overrides, *overrides]
        else:
            sub = parser._subparsers._group_actions[0].choices.get(args.command, parser)  # noqa: SLF001
            sub.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: 0 on success; 1 with a one-line ``error:`` on bad input or a failed
    check (nothing written); 2 on a usage error; 130 on Ctrl-C (what was saved is kept)."""
    args = parse_args(build_parser(), argv)
    from lbw.checkpoint import CheckpointError
    from lbw.config import ConfigError
    from lbw.dataset import DatasetError
    from lbw.demo import DemoError
    from lbw.files import RunDirError
    from lbw.video import VideoError

    try:
        code = args.run(args)
    except (CheckpointError, ConfigError, DatasetError, DemoError, RunDirError, VideoError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"\ninterrupted{f'; go on with: {hint}' if (hint := resume_hint(args, argv)) else ''}",
            file=sys.stderr,
        )
        return 130
    return code or 0


def resume_hint(args: argparse.Namespace, argv: Sequence[str] | None) -> str | None:
    """The command that goes on with an interrupted one: the same with ``--resume`` (and
    without ``--overwrite``), for commands that can resume."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if a not in ("--overwrite", "--resume")]
    if getattr(args, "resumes_by_rerun", False):  # the same command goes on where it stopped
        return shlex.join(["lbw", *words])
    if not hasattr(args, "resume"):
        return None
    return shlex.join(["lbw", *words, "--resume"])


if __name__ == "__main__":
    sys.exit(main())
