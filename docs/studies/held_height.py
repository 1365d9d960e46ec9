"""How exactly drawer_close's held pose must be matched: the scripted demonstration's effector
path followed with its height raised by dz (or its end stopped dx short), and what that leaves.

A keypoint policy goes where the reference's arm keypoints are; a translated reference whose
arm sits a few pixels high in the held pose asks for a pose above the handle. Here the robot
follows the scripted demonstrator's own path (recorded on each start), offset in the world, and
the drawer's final opening says whether it still closes; the offset's size in the 64-px frame
(the effector point projected) says how near a translated arm must be.

    python docs/studies/held_height.py --episodes 20

Ground truth from the simulator, for diagnosis only: no policy, reward or model is involved.
"""

from __future__ import annotations

import argparse

import numpy as np

from lbw import envs
from lbw.envs import MAX_EPISODE_STEPS
from lbw.envs.tasks.drawer_close import CLOSED_BELOW
from lbw.evaluation.policy import EVAL_SEED


def scripted_path(env, seed: int) -> np.ndarray:
    """(T + 1, 3) effector positions, m, of the scripted demonstrator from the start ``seed``."""
    env.reset(seed=seed)
    task = env.unwrapped
    path = [task.embodiment.position()]
    for _ in range(MAX_EPISODE_STEPS):
        env.step(task.scripted_action())
        path.append(task.embodiment.position())
    return np.array(path)


def follow(env, seed: int, path: np.ndarray, offset: np.ndarray, after: int) -> float:
    """Follow ``path`` from the same start with ``offset`` (m) added from step ``after`` on;
    the drawer's final opening, m."""
    env.reset(seed=seed)
    task = env.unwrapped
    for t in range(MAX_EPISODE_STEPS):
        target = path[t + 1] + (offset if t + 1 >= after else 0.0)
        env.step(task.move_toward(target, 1.0))
    return task.opening()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--episodes", type=int, default=20)
    p.add_argument("--after", type=int, default=10, help="first step the offset applies to")
    args = p.parse_args()
    env = envs.make("drawer_close", obs_mode="state", image_size=64)
    task = env.unwrapped
    seeds = range(EVAL_SEED, EVAL_SEED + args.episodes)
    paths = {seed: scripted_path(env, seed) for seed in seeds}
    itself = np.array([follow(env, s, paths[s], np.zeros(3), 0) for s in seeds])
    print(f"the scripted path followed as it is: {np.mean(itself < CLOSED_BELOW):.2f} closed")
    end = np.mean([paths[s][-1] for s in seeds], axis=0)
    print("| held pose offset | effector in the frame, px | closed | final opening, cm (mean, max) |")
    print("|---|---:|---:|---|")
    offsets = [("dz", d) for d in (1, 2, 3, 3.5, 4, 4.5, 5, 6)] + [("dx", -d) for d in (1, 2, 3, 4)]
    for axis, cm in offsets:
        offset = np.zeros(3)
        offset["xyz".index(axis[1])] = cm / 100
        px = np.linalg.norm(np.diff(task.camera.project(np.stack([end, end + offset]), 64), axis=0))
        openings = np.array([follow(env, s, paths[s], offset, args.after) for s in seeds])
        success = openings < CLOSED_BELOW
        print(
            f"| {axis} {cm:+.1f} cm | {px:.1f} | {success.mean():.2f} | "
            f"{openings.mean() * 100:.1f}, {openings.max() * 100:.1f} |"
        )
    env.close()


if __name__ == "__main__":
    main()
