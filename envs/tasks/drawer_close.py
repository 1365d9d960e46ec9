"""Drawer close: push an open drawer shut into its cabinet."""

from __future__ import annotations

import numpy as np
import pybullet as pb

from lbw.envs.base import TabletopEnv

CABINET_CENTER = np.array([0.24, 0.10, 0.065])
CABINET_HALF = np.array([0.09, 0.09, 0.065])
DRAWER_HALF = np.array([0.085, 0.075, 0.04])
MAX_OPENING = 0.16  # m
OPEN_NOMINAL = 0.13  # m at reset, ± 1.5 cm
CLOSED_BELOW = 0.02  # m: success when the opening is smaller
HANDLE_Z = 0.06
# m per unit of spread (wide starts): the cabinet moved in x and y, y the most — a push along x
# reaches the drawer whatever its x, only its y asks the pusher to look
CABINET_SHIFT = np.array([0.02, 0.05])


class DrawerCloseEnv(TabletopEnv):
    """Push the drawer (sliding along -x out of a cabinet) until it is open less than 2 cm."""

    # starts='wide': cabinet ±6 cm in x, ±15 cm in y, opening ±4.5 cm, effector ±6 cm
    # (demonstrator 100/100; replay still 31 of 50: the drawer front is 15 cm wide)
    WIDE_SPREAD = 3.0

    def _build_objects(self) -> None:
        c = self.client
        self._center = CABINET_CENTER.copy()  # where the cabinet stands (moved by wide starts)
        wood = (0.45, 0.30, 0.2, 1.0)
        front = (0.85, 0.85, 0.8, 1.0)
        base_col = c.createCollisionShape(pb.GEOM_BOX, halfExtents=CABINET_HALF.tolist())
        base_vis = c.createVisualShape(pb.GEOM_BOX, halfExtents=CABINET_HALF.tolist(), rgbaColor=wood)
        drawer_parts = [
            (DRAWER_HALF.tolist(), (0, 0, 0), front),
            ([0.012, 0.035, 0.008], (-DRAWER_HALF[0] - 0.012, 0, 0), (0.1, 0.1, 0.1, 1.0)),
        ]
        drawer_vis = c.createVisualShapeArray(
            shapeTypes=[pb.GEOM_BOX] * 2,
            halfExtents=[p[0] for p in drawer_parts],
            visualFramePositions=[p[1] for p in drawer_parts],
            rgbaColors=[p[2] for p in drawer_parts],
        )
        drawer_col = c.createCollisionShapeArray(
            shapeTypes=[pb.GEOM_BOX] * 2,
            halfExtents=[p[0] for p in drawer_parts],
            collisionFramePositions=[p[1] for p in drawer_parts],
        )
        # The drawer's joint origin: closed, its front is flush with the cabinet's front.
        origin = (DRAWER_HALF[0] - CABINET_HALF[0], 0.0, HANDLE_Z - CABINET_CENTER[2])
        self._cabinet = c.createMultiBody(
            baseMass=0,
            baseCollisionShapeIndex=base_col,
            baseVisualShapeIndex=base_vis,
            basePosition=CABINET_CENTER.tolist(),
            linkMasses=[0.5],
            linkCollisionShapeIndices=[drawer_col],
            linkVisualShapeIndices=[drawer_vis],
            linkPositions=[origin],
            linkOrientations=[(0, 0, 0, 1)],
            linkInertialFramePositions=[(0, 0, 0)],
            linkInertialFrameOrientations=[(0, 0, 0, 1)],
            linkParentIndices=[0],
            linkJointTypes=[pb.JOINT_PRISMATIC],
            linkJointAxis=[(-1, 0, 0)],
        )
        c.changeDynamics(
            self._cabinet, 0, jointLowerLimit=0.0, jointUpperLimit=MAX_OPENING, lateralFriction=0.5
        )
        # A weak velocity motor acts as the slide's friction: the drawer stays where it is left.
        c.setJointMotorControl2(self._cabinet, 0, pb.VELOCITY_CONTROL, targetVelocity=0.0, force=1.5)
        self.joints["drawer"] = (self._cabinet, 0)

    def _reset_task(self, rng: np.random.Generator) -> None:
        opening = min(OPEN_NOMINAL + rng.uniform(-0.015, 0.015) * self.spread, MAX_OPENING)
        # Wide starts also move the cabinet (x, y): a drawer pushed to a fixed place closes
        # whatever its opening, so only its position asks for feedback. Default: never moved
        # (and no extra draw, so default episodes stay as they were).
        if self.spread != 1.0:
            self._center = CABINET_CENTER.copy()
            self._center[:2] += rng.uniform(-1.0, 1.0, size=2) * CABINET_SHIFT * self.spread
            self.client.resetBasePositionAndOrientation(self._cabinet, self._center.tolist(), (0, 0, 0, 1))
        self.client.resetJointState(self._cabinet, 0, opening, 0.0)

    def opening(self) -> float:
        """How far the drawer is pulled out, m (0 = shut)."""
        return float(self.client.getJointState(self._cabinet, 0)[0])

    def _handle(self) -> np.ndarray:
        x = self._center[0] - CABINET_HALF[0] - self.opening() - 0.012  # the handle's centre
        return np.array([x, self._center[1], HANDLE_Z])

    def task_points(self) -> dict[str, np.ndarray]:
        return {"handle": self._handle()}

    def is_success(self) -> bool:
        return self.opening() < CLOSED_BELOW

    def goal_distance(self) -> float:
        return self.opening()

    def dense_reward(self) -> float:
        reach = np.linalg.norm(self.embodiment.position() - self._handle())
        return float(-0.5 * reach - 2.0 * self.opening())

    def scripted_action(self) -> np.ndarray:
        effector = self.embodiment.position()
        handle = self._handle()
        standoff = 0.012 + self.embodiment.reach_along(np.array([1.0, 0.0])) + 0.01
        approach = np.array([handle[0] - standoff, handle[1], 0.05])  # just in front of the handle
        lined_up = abs(effector[1] - handle[1]) < 0.02 and effector[0] < handle[0] - 0.015
        if lined_up and effector[2] < 0.07:
            # Push through: aim past the closed front so the drawer goes fully in.
            closed_front = self._center[0] - CABINET_HALF[0] + 0.05  # 0.20 at the nominal place
            return self.move_toward(np.array([closed_front, handle[1], approach[2]]), 0.7)
        if np.linalg.norm(effector[:2] - approach[:2]) < 0.015:
            return self.move_toward(approach, 1.0)
        return self.move_toward(np.array([*approach[:2], 0.14]), 1.0)
