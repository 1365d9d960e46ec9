"""Coffee push: push a mug across the table until it stands under a coffee machine's spout."""

from __future__ import annotations

import numpy as np
import pybullet as pb

from envs.base import TabletopEnv
from envs.tasks.pushing import push_action

SPOUT = np.array([0.20, 0.08])  # m, the spout's position in the table plane
MUG_RADIUS, MUG_HEIGHT = 0.032, 0.085  # m
MUG_START = np.array([-0.03, 0.06])
SUCCESS_RADIUS = 0.04  # m, mug centre to the point under the spout


class CoffeePushEnv(TabletopEnv):
    """Push the white mug until its centre is within 4 cm of the point under the spout."""

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
            radii=[0, 0, 0, 0.012], lengths=[0, 0, 0, 0.03],
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
            radii=[MUG_RADIUS, 0], lengths=[MUG_HEIGHT, 0],
            halfExtents=[(0, 0, 0), (0.008, 0.006, 0.025)],
            visualFramePositions=[(0, 0, 0), (-MUG_RADIUS - 0.006, 0, 0.005)],
            rgbaColors=[(0.95, 0.95, 0.93, 1.0), (0.95, 0.95, 0.93, 1.0)],
        )
        mug_col = c.createCollisionShape(pb.GEOM_CYLINDER, radius=MUG_RADIUS, height=MUG_HEIGHT)
        self._mug = c.createMultiBody(0.2, mug_col, mug_vis, (*MUG_START, MUG_HEIGHT / 2))
        c.changeDynamics(self._mug, -1, lateralFriction=0.4, spinningFriction=0.002)
        self.free_bodies["mug"] = self._mug

    def _reset_task(self, rng: np.random.Generator) -> None:
        xy = MUG_START + rng.uniform(-0.02, 0.02, size=2)
        self.place(self._mug, (*xy, MUG_HEIGHT / 2))

    def _mug_xy(self) -> np.ndarray:
        return np.asarray(self.client.getBasePositionAndOrientation(self._mug)[0][:2])

    def task_points(self) -> dict[str, np.ndarray]:
        mug = np.asarray(self.client.getBasePositionAndOrientation(self._mug)[0])
        return {"mug": mug, "spout": np.array([*SPOUT, 0.197])}

    def is_success(self) -> bool:
        return float(np.linalg.norm(self._mug_xy() - SPOUT)) < SUCCESS_RADIUS

    def dense_reward(self) -> float:
        mug = self._mug_xy()
        reach = np.linalg.norm(self.embodiment.position()[:2] - mug)
        return float(-0.5 * reach - np.linalg.norm(mug - SPOUT))

    def scripted_action(self) -> np.ndarray:
        return push_action(self, self._mug_xy(), SPOUT, obj_radius=MUG_RADIUS,
                           clear_height=0.15, speed=0.6)
