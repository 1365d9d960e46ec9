"""Reach: bring the effector down onto a marker on the table.

The target is the effector's lowest point above the marker, not a point in mid-air: seen by one
camera, a point in the air can be matched by any effector position along the camera's ray,
and a policy rewarded from images did exactly that (10 cm behind and below an airborne target,
keypoints within 1-3 px). The table bounds that ray from below, and the effector's blob shadow
on the table says where along the ray the effector is."""

from __future__ import annotations

import numpy as np

from lbw.envs.base import TabletopEnv
from lbw.envs.scene import cylinder

TARGET_NOMINAL = np.array([0.10, -0.05, 0.045])  # m; the marker lies on the table under it
SUCCESS_RADIUS = 0.05  # m


class ReachEnv(TabletopEnv):
    """Move the effector within 5 cm of the target just above the red marker (the effector's
    lowest height, 4.5 cm: fingertips 1 cm above the table)."""

    # starts='wide': target and effector ±7 cm (replaying the demo open loop: 9 of 50)
    WIDE_SPREAD = 3.5

    def _build_objects(self) -> None:
        self._marker = cylinder(self.client, 0.03, 0.004, (0, 0, 0.002), (0.9, 0.1, 0.1, 1.0), collide=False)
        self._goal = TARGET_NOMINAL.copy()

    def _reset_task(self, rng: np.random.Generator) -> None:
        self._goal = TARGET_NOMINAL + rng.uniform([-0.02, -0.02, 0.0], [0.02, 0.02, 0.0]) * self.spread
        self.place(self._marker, (self._goal[0], self._goal[1], 0.002))

    def task_points(self) -> dict[str, np.ndarray]:
        return {"target": self._goal.copy()}

    def goal_distance(self) -> float:
        return float(np.linalg.norm(self.embodiment.position() - self._goal))

    def is_success(self) -> bool:
        return self.goal_distance() < SUCCESS_RADIUS

    def dense_reward(self) -> float:
        return -self.goal_distance()

    def scripted_action(self) -> np.ndarray:
        return self.move_toward(self._goal, speed=0.8)
