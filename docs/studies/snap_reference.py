"""How far a run's reward reference lies from the paired robot clip, with and without
``snap_to_robot``.

For each clip (a human clip and its paired robot clip, as ``lbw demo`` writes them), the
reference a run of the config builds from it (its translator, or the alternative it chooses;
time alignment; for k ≥ 1 the keypoints snapped onto the mean of the k nearest robot poses),
against the paired robot clip's keypoints at the same source times, px: over the episode's
reference, and the worst keypoint of its held final pose (the last 10 steps).

    python docs/studies/snap_reference.py configs/reach.yaml \
        --clip default=videos/reach_ --clip room=clips/room/reach_ --k 0 1 5
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from held_pose import CLIP_HELP

from lbw.config import load_config
from lbw.policy.methods import method_env_factory
from lbw.policy.reference import at_times, to_unit
from lbw.stages import perception_stages
from lbw.video import read_video


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("config")
    parser.add_argument("--clip", action="append", required=True, help=CLIP_HELP)
    parser.add_argument("--k", type=int, nargs="+", default=[0, 1, 5], help="snap_to_robot values")
    parser.add_argument("overrides", nargs="*", help="config overrides (key=value)")
    args = parser.parse_intermixed_args()
    for spec in args.clip:
        name, prefix = spec.split("=", 1)
        config = load_config(args.config, [*args.overrides, f"demo={prefix}human.mp4"])
        stages = perception_stages(config, progress=False)
        for k in args.k:
            factory = method_env_factory(dataclasses.replace(config, snap_to_robot=k), stages)
            demo, size = factory.demonstration, factory.detector.image_size
            paired = to_unit(factory.detector(read_video(f"{prefix}robot.mp4", size=size)), size)
            truth = at_times(paired, np.minimum(demo.source_times, len(paired) - 1))
            error = np.linalg.norm(demo.keypoints - truth, axis=-1) * size / 2  # (T + 1, K) px
            print(
                f"{name:>8} k={k:<2} reference {error.mean():5.2f}  "
                f"worst held keypoint {error[-10:].mean(0).max():5.2f} px"
            )


if __name__ == "__main__":
    main()
