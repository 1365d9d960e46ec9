"""Bring your own task: a TabletopEnv subclass, registered, learned by lbw from a clip of it.

    python examples/custom_task.py                 # record a demo of "tap", then lbw run on it
    python examples/custom_task.py --budget tiny   # the same in seconds (what CI runs)

A config can name this file instead, and every command then knows the task:

    # my_tap.yaml
    imports: [custom_task.py]          # relative to the config file
    task: tap
    demo: clips/tap_human.mp4

The task: touch a green button on the left of the table. A task says what its objects are and
how they start (``_build_objects``, ``_reset_task``), which points to track, when it succeeds, a
shaped reward for the oracle baseline, and a scripted demonstrator (``scripted_action``) that
``lbw demo`` films and ``lbw.policy.reference.robot_pace`` times.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from budgets import TINY_PERCEPTION, TINY_POLICY

from lbw import envs, load_config, record_demo, run_pipeline
from lbw.envs.base import TabletopEnv
from lbw.envs.scene import cylinder

BUTTON = np.array([-0.12, 0.06, 0.045])  # m; the effector's target just above the button
SUCCESS_RADIUS = 0.05  # m


class TapEnv(TabletopEnv):
    """Touch a green button (5 cm of it) placed at random within 2 cm of the table's left spot."""

    def _build_objects(self) -> None:
        self._button = cylinder(self.client, 0.025, 0.006, (0, 0, 0.003), (0.1, 0.7, 0.2, 1.0), collide=False)
        self._goal = BUTTON.copy()

    def _reset_task(self, rng: np.random.Generator) -> None:
        self._goal = BUTTON + rng.uniform([-0.02, -0.02, 0.0], [0.02, 0.02, 0.0])
        self.place(self._button, (self._goal[0], self._goal[1], 0.003))

    def task_points(self) -> dict[str, np.ndarray]:
        return {"button": self._goal.copy()}

    def goal_distance(self) -> float:
        return float(np.linalg.norm(self.embodiment.position() - self._goal))

    def is_success(self) -> bool:
        return self.goal_distance() < SUCCESS_RADIUS

    def dense_reward(self) -> float:
        return -self.goal_distance()

    def scripted_action(self) -> np.ndarray:
        return self.move_toward(self._goal, speed=0.8)


envs.register_task("tap", TapEnv)  # gymnasium id lbw/Tap-v0

# "full": as configs/reach.yaml trains (about an hour on 2 CPU cores, perception included);
# "tiny": every stage runs, in seconds.
BUDGETS = {"full": [], "tiny": [*TINY_PERCEPTION, *TINY_POLICY]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", choices=BUDGETS, default="full")
    parser.add_argument("--root", default="runs", help="where runs go (default: runs)")
    args = parser.parse_args(argv)
    clips = Path(args.root) / "tap" / "clips"
    if not (clips / "tap_human.mp4").exists():  # a person filming the task would give this clip
        record_demo("tap", seed=0).save(clips)
    config = load_config(
        None, ["task=tap", f"demo={clips / 'tap_human.mp4'}", f"root={args.root}", *BUDGETS[args.budget]]
    )
    metrics = run_pipeline(config, resume=(config.run_dir / "config.yaml").exists())
    print(f"tap: success rate {metrics['success_rate']:.2f}; videos: {metrics['videos']}")
    return metrics


if __name__ == "__main__":
    main()
