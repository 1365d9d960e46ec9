"""The ``lbw`` command line.

    lbw demo --task push --seed 0 --out videos/
    lbw collect --task push --domain robot --frames 5000 --out data/push_robot.npz
    lbw bench env
    lbw bench demos --seeds 100
    lbw bench models
    lbw train-keypoints --task push
    lbw keypoints videos/push_robot.mp4 --checkpoint runs/push/keypoints/transporter.pt --out kp.npy
    lbw train-translator --task push --model munit
    lbw translate videos/push_human.mp4 --checkpoint runs/push/translator_munit/translator.pt --out t.mp4
    lbw eval-perception --task push
    lbw gallery --out docs/
    lbw run configs/push.yaml [policy.seed=1 …] [--resume | --overwrite]
    lbw train-policy configs/push.yaml method=oracle
    lbw evaluate runs/push/lbw_seed0 --episodes 50 --record 2

``lbw <command> --help`` explains every option.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lbw.cli import perception, policy, simulation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lbw", description="Learning by Watching: teach a simulated robot arm from one human video."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (simulation, perception, policy):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from lbw.checkpoint import CheckpointError
    from lbw.config import ConfigError
    from lbw.dataset import DatasetError
    from lbw.demo import DemoError
    from lbw.training import RunDirError
    from lbw.video import VideoError

    try:
        args.run(args)
    except (CheckpointError, ConfigError, DatasetError, DemoError, RunDirError, VideoError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
