"""What the pace alignment measures of the scripted demo re-timed: moving share and pace per clip.

    python docs/studies/pace_of_retimed_clips.py --task push

For each timing (``lbw.retiming.TIMINGS``) of the scripted demo (seed 0), through the models
``configs/TASK.yaml`` uses: the share of frame transitions ``motion`` calls moving, and the
clip's pace (``pace``: the median speed of those, px per frame) in px per frame of the scripted clip (the
0.5× clip's doubled, the 2× clip's halved), for the translated human clip and the paired robot
clip. A timing the alignment undoes exactly keeps the scripted pace.
"""

from __future__ import annotations

import argparse

from task_models import task_models

from lbw.demo import record_demo
from lbw.policy.reference import motion, pace
from lbw.retiming import TIMINGS, retime_demo

# Source frames of the scripted clip per frame of the re-timed one, while it moves.
SPEED_UP = {"scripted": 1.0, "slow": 0.5, "fast": 2.0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="push")
    args = p.parse_args()
    config, detector, translator = task_models(args.task)
    demo = record_demo(args.task, seed=0)
    print("| timing | frames | keypoints of | moving transitions | pace, px per scripted frame |")
    print("|---|---:|---|---:|---:|")
    for name, speed_up in SPEED_UP.items():
        clip = retime_demo(demo, TIMINGS[name](len(demo.human_frames)))
        sources = {"translated": translator(clip.human_frames), "paired robot": clip.robot_frames}
        for source, frames in sources.items():
            keypoints = detector(frames)  # px
            moving_share = motion(keypoints)[1].mean()
            scripted_pace = pace(keypoints) / speed_up
            print(
                f"| {name} | {len(frames)} | {source} | {moving_share:.0%} | {scripted_pace:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
