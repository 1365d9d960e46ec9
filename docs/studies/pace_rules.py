"""Other ways of measuring a clip's motion and pace: do they hold re-timed clips nearer?

    python docs/studies/pace_rules.py --task push

The pace alignment (``lbw.policy.reference``) calls a transition still below 0.2 of the clip's
fastest, smooths the keypoints over 3 frames before taking speeds, and replays the motion at
the *median* speed of the moving transitions. For each ``PaceRule`` below, through the models
``configs/TASK.yaml`` uses: ``lbw eval-alignment``'s reference error (px, translated and paired
robot clips) of every re-timed clip of the scripted demo (seed 0) against the scripted clip's,
the robot's nominal pace under the rule, and how far the rule moves the scripted clip's own
reference from the default rule's (px: what a change would do to every run's reward).
"""

from __future__ import annotations

import argparse

import numpy as np
from task_models import task_models

from lbw import envs
from lbw.demo import record_demo
from lbw.evaluation.alignment import SOURCES, alignment_errors, retimed_keypoints
from lbw.policy.reference import PACE_RULE, PaceRule, align_to_pace, at_times, robot_pace
from lbw.retiming import VARIANTS, WIDE

RULES = {
    "default (median, 3-frame smoothing, 0.2)": PACE_RULE,
    "mean": PaceRule(statistic="mean"),
    "idle below 0.1": PaceRule(idle_fraction=0.1),
    "mean, idle below 0.1": PaceRule(statistic="mean", idle_fraction=0.1),
    "no smoothing": PaceRule(smoothing=1),
    "5-frame smoothing": PaceRule(smoothing=5),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="push")
    args = p.parse_args()
    _, detector, translator = task_models(args.task)
    variants = [v for v in VARIANTS if v != WIDE]
    keypoints = retimed_keypoints(record_demo(args.task, seed=0), detector, translator, variants)
    scripted = keypoints["translated"]["scripted"]
    length = envs.MAX_EPISODE_STEPS + 1
    default = None
    print(f"{args.task}: px, translated / paired robot")
    print("| rule | robot pace, px/step | scripted reference moved, px | " + " | ".join(variants) + " |")
    print("|---|---:|---:|" + "---:|" * len(variants))
    for label, rule in RULES.items():
        nominal = robot_pace(args.task, detector, rule=rule)
        reference = at_times(scripted, align_to_pace(scripted, nominal, length, rule))
        default = reference if default is None else default  # the first rule is lbw's
        errors = {source: alignment_errors(keypoints[source], nominal, rule)["pace"] for source in SOURCES}
        cells = [" / ".join(f"{errors[source][v]:.2f}" for source in SOURCES) for v in variants]
        moved = np.linalg.norm(reference - default, axis=-1).mean()
        print(f"| {label} | {nominal:.2f} | {moved:.2f} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
