"""Coffee push: push a mug across the table until it stands under a coffee machine's spout."""

from __future__ import annotations

import numpy as np
import pybullet as pb

from lbw.envs.tasks.pushing import ObjectToGoalEnv

SPOUT = np.array([0.20, 0.08])  # m, the spout's position in the table plane
MUG_RADIUS, MUG_HEIGHT = 0.032, 0.085  # m


class CoffeePushEnv(ObjectToGoalEnv):
    """Push the white mug until its centre is within 4 cm of the point under the spout."""

    # starts='wide': mug ±5 cm, effector ±5 cm (demonstrator 97/100; replay 9 of 50)
    WIDE_SPREAD = 2.5

    OBJECT = "mug"
    OBJECT_START = np.array([-0.03, 0.06])
    OBJECT_Z = MUG_HEIGHT / 2
    OBJECT_RADIUS = MUG_RADIUS
    GOAL = SPOUT
    GOAL_NAME = "spout"
    GOAL_Z = 0.197  # the spout's tip
    SUCCESS_RADIUS = 0.04
    CLEAR_HEIGHT = 0.15

    def _build_objects(self) -> None:
        c = self.client
        body = (0.12, 0.12, 0.13, 1.0)
        metal = (0.7, 0.7, 0.72, 1.0)
        parts = [  # (half extents, centre) of the machine: back column, head, drip tray
            ((0.06, 0.035, 0.13), (SPOUT[0], SPOUT[1] + 0.095, 0.13), body),
            ((0.06, 0.075, 0.03), (SPOUT[0], SPOUT[1] + 0.035, 0.24), body),
            ((0.055, 0.055, 0.002), (SPOUT[0], SPOUT[1], 0.002), metal),
        ]
        vis = c.createVisualShapeArray(
            shapeTypes=[pb.GEOM_BOX] * 3 + [pb.GEOM_CYLINDER],
            halfExtents=[p[0] for p in parts] + [(0, 0, 0)],
            radii=[0, 0, 0, 0.012],
            lengths=[0, 0, 0, 0.03],
            visualFramePositions=[p[1] for p in parts] + [(SPOUT[0], SPOUT[1], 0.197)],
            rgbaColors=[p[2] for p in parts] + [metal],
        )
        col = c.createCollisionShapeArray(
            shapeTypes=[pb.GEOM_BOX] * 2,
            halfExtents=[p[0] for p in parts[:2]],
            collisionFramePositions=[p[1] for p in parts[:2]],
        )
        c.createMultiBody(0, col, vis, (0, 0, 0))
        mug_vis = c.createVisualShapeArray(
            shapeTypes=[pb.GEOM_CYLINDER, pb.GEOM_BOX],
            radii=[MUG_RADIUS, 0],
            lengths=[MUG_HEIGHT, 0],
            halfExtents=[(0, 0, 0), (0.008, 0.006, 0.025)],
            visualFramePositions=[(0, 0, 0), (-MUG_RADIUS - 0.006, 0, 0.005)],
            rgbaColors=[(0.95, 0.95, 0.93, 1.0), (0.95, 0.95, 0.93, 1.0)],
        )
        mug_col = c.createCollisionShape(pb.GEOM_CYLINDER, radius=MUG_RADIUS, height=MUG_HEIGHT)
        self._object = c.createMultiBody(0.2, mug_col, mug_vis, (*self.OBJECT_START, self.OBJECT_Z))
        c.changeDynamics(self._object, -1, lateralFriction=0.4, spinningFriction=0.002)
        self.free_bodies[self.OBJECT] = self._object
