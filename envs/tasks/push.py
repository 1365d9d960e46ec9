"""Push: slide a block across the table into a goal region."""

from __future__ import annotations

import numpy as np

from envs.base import TabletopEnv
from envs.scene import box, cylinder
from envs.tasks.pushing import push_action

BLOCK_HALF = 0.025  # m
BLOCK_START = np.array([-0.08, 0.0])
GOAL = np.array([0.12, -0.03])
SUCCESS_RADIUS = 0.05  # m, block centre to goal centre in the table plane


class PushEnv(TabletopEnv):
    """Push the red block until its centre is within 5 cm of the green goal's centre."""

    def _build_objects(self) -> None:
        cylinder(self.client, SUCCESS_RADIUS, 0.002, (*GOAL, 0.001), (0.2, 0.75, 0.3, 1.0),
                 collide=False)
        self._block = box(self.client, (BLOCK_HALF,) * 3, (*BLOCK_START, BLOCK_HALF),
                          (0.85, 0.15, 0.12, 1.0), mass=0.2)
        self.client.changeDynamics(self._block, -1, lateralFriction=0.5)
        self.free_bodies["block"] = self._block

    def _reset_task(self, rng: np.random.Generator) -> None:
        xy = BLOCK_START + rng.uniform(-0.02, 0.02, size=2)
        self.place(self._block, (*xy, BLOCK_HALF))

    def _block_xy(self) -> np.ndarray:
        return np.asarray(self.client.getBasePositionAndOrientation(self._block)[0][:2])

    def task_points(self) -> dict[str, np.ndarray]:
        block = np.asarray(self.client.getBasePositionAndOrientation(self._block)[0])
        return {"block": block, "goal": np.array([*GOAL, 0.0])}

    def is_success(self) -> bool:
        return float(np.linalg.norm(self._block_xy() - GOAL)) < SUCCESS_RADIUS

    def dense_reward(self) -> float:
        block = self._block_xy()
        reach = np.linalg.norm(self.embodiment.position()[:2] - block)
        return float(-0.5 * reach - np.linalg.norm(block - GOAL))

    def scripted_action(self) -> np.ndarray:
        return push_action(self, self._block_xy(), GOAL, obj_radius=BLOCK_HALF,
                           clear_height=0.11, speed=0.6)
