"""Push: slide a block across the table into a goal region."""

from __future__ import annotations

import numpy as np

from lbw.envs.scene import box, cylinder
from lbw.envs.tasks.pushing import ObjectToGoalEnv

BLOCK_HALF = 0.025  # m


class PushEnv(ObjectToGoalEnv):
    """Push the red block until its centre is within 5 cm of the green goal's centre."""

    # starts='wide': block ±5 cm, effector ±5 cm (demonstrator 99/100; replay 9 of 50)
    WIDE_SPREAD = 2.5

    OBJECT = "block"
    OBJECT_START = np.array([-0.08, 0.0])
    OBJECT_Z = BLOCK_HALF
    OBJECT_RADIUS = BLOCK_HALF
    GOAL = np.array([0.12, -0.03])
    SUCCESS_RADIUS = 0.05
    CLEAR_HEIGHT = 0.11

    def _build_objects(self) -> None:
        cylinder(
            self.client, self.SUCCESS_RADIUS, 0.002, (*self.GOAL, 0.001), (0.2, 0.75, 0.3, 1.0), collide=False
        )
        self._object = box(
            self.client,
            (BLOCK_HALF,) * 3,
            (*self.OBJECT_START, BLOCK_HALF),
            (0.85, 0.15, 0.12, 1.0),
            mass=0.2,
        )
        self.client.changeDynamics(self._object, -1, lateralFriction=0.5)
        self.free_bodies[self.OBJECT] = self._object
