"""Does a clip's reward prefer closing the drawer to a near miss? Scripted episodes, no policy.

On each evaluation episode (seeds 10000+i) the robot acts six ways: the scripted
demonstrator (it closes the drawer), the same but holding still once it has touched the
handle (``front``: the drawer pushed by 5 mm and left open) or once the drawer is 7 or 9 cm
open (``stop7``, ``stop9``: it slides on and stops 3–4 or 5–6 cm open), and the same with
the effector kept above 9 cm (``high``: it rides up the drawer's front, which it may still
push shut) or above 11 cm (``over``: it passes over the handle and the drawer).
Each clip's reward — translated, keypointed and aligned as ``lbw run`` does it — scores them;
per clip: the share of episodes where closing scores above
each near miss, and the median margin (closing's return minus the miss's, px summed over the
episode's steps). The paired robot clip's reward (a perfect translation) is the yardstick.

    python docs/studies/near_misses.py --task drawer_close --clip default=videos/drawer_close_ \
        --clip dark=clips/dark/drawer_close_ --episodes 20

Ground truth only scripts the misses and says which episode succeeded; returns use keypoints.
"""

from __future__ import annotations

import argparse

import numpy as np

from lbw import envs
from lbw.evaluation.reward import _trajectory
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.methods import load_demonstration
from lbw.policy.reference import robot_pace
from lbw.policy.wrappers import KeypointReward
from lbw.translation import Translator

LOWEST = {"high": 0.09, "over": 0.11}  # m: the effector's lowest height (the drawer's top: 10 cm)
MISSES = ("front", "stop7", "stop9", "high", "over")


def act(kind: str, task, start_opening: float) -> np.ndarray:
    """The action of one way of acting: ``close`` or one of ``MISSES``."""
    action = task.scripted_action()
    pushed = start_opening - task.opening()
    if (kind == "front" and pushed > 0.005) or (
        kind.startswith("stop") and task.opening() < int(kind[4:]) / 100
    ):
        return np.zeros(3, dtype=np.float32)
    if kind in LOWEST:
        z = task.embodiment.position()[2]
        action[2] = max(action[2], np.clip((LOWEST[kind] + 0.01 - z) / task.ACTION_SCALE, -1.0, 1.0))
    return action


def episode(kind: str, seed: int, detector: KeypointDetector) -> tuple[np.ndarray, bool]:
    """Keypoints (T + 1, K, 2) in [-1, 1] of one episode and its success."""
    start: list[float] = []  # the drawer's opening at reset, read at the first step

    def step(env, t: int) -> np.ndarray:
        if t == 0:
            start.append(env.unwrapped.opening())
        return act(kind, env.unwrapped, start[0])

    return _trajectory("drawer_close", seed, "default", detector, step)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="drawer_close", choices=["drawer_close"])
    p.add_argument("--keypoints", help="transporter.pt (default: models/TASK/)")
    p.add_argument("--munit", help="translator (default: models/TASK/translator_munit.pt)")
    p.add_argument(
        "--clip", action="append", required=True, help="NAME=PREFIX: PREFIXhuman.mp4, PREFIXrobot.mp4"
    )
    p.add_argument("--episodes", type=int, default=20)
    args = p.parse_args()
    detector = KeypointDetector.load(args.keypoints or f"models/{args.task}/transporter.pt")
    translator = Translator.load(args.munit or f"models/{args.task}/translator_munit.pt")
    pace = robot_pace(args.task, detector)
    length = envs.MAX_EPISODE_STEPS + 1
    seeds = range(10000, 10000 + args.episodes)
    runs = {kind: [episode(kind, s, detector) for s in seeds] for kind in ("close", *MISSES)}
    for kind, results in runs.items():
        print(f"{kind:>6}: success {np.mean([ok for _, ok in results]):.2f}")
    references = {}
    for spec in args.clip:
        name, prefix = spec.split("=", 1)
        references[f"{name} robot clip"] = load_demonstration(
            f"{prefix}robot.mp4", detector, None, length, pace
        )
        references[name] = load_demonstration(f"{prefix}human.mp4", detector, translator, length, pace)
    for name, demo in references.items():
        reward = KeypointReward(demo.keypoints)
        returns = {
            kind: np.array([sum(reward(None, z[t], t) for t in range(1, len(z))) for z, _ in results])
            for kind, results in runs.items()
        }
        cells = []
        for miss in MISSES:
            margin = (returns["close"] - returns[miss]) * detector.image_size / 2  # px
            cells.append(f"{miss}: above {np.mean(margin > 0):.2f}, margin {np.median(margin):+7.1f} px")
        print(f"{name:>20}  " + "   ".join(cells))


if __name__ == "__main__":
    main()
