"""Slide: strike a low-friction puck so that it slides on its own into a far region."""

from __future__ import annotations

import numpy as np

from envs.base import TabletopEnv
from envs.scene import cylinder
from envs.tasks.pushing import push_action

PUCK_RADIUS, PUCK_HEIGHT = 0.03, 0.02  # m
PUCK_START = np.array([-0.14, -0.04])
GOAL = np.array([0.20, -0.02])
SUCCESS_RADIUS = 0.07  # m
STRIKE_SPEED = 0.52  # fraction of full effector speed for the strike
STRIKE_REACH = 0.06  # m the demonstrator follows through past the puck's start


class SlideEnv(TabletopEnv):
    """Strike the puck so that it comes to rest within 7 cm of the far blue region's centre."""

    def _build_objects(self) -> None:
        cylinder(self.client, SUCCESS_RADIUS, 0.002, (*GOAL, 0.001), (0.15, 0.35, 0.85, 1.0),
                 collide=False)
        self._puck = cylinder(self.client, PUCK_RADIUS, PUCK_HEIGHT, (*PUCK_START, PUCK_HEIGHT / 2),
                              (0.95, 0.8, 0.1, 1.0), mass=0.1)
        # Bullet multiplies the two friction coefficients: 0.5 (table) × 0.04 → μ = 0.02.
        self.client.changeDynamics(self._puck, -1, lateralFriction=0.04, rollingFriction=0.0,
                                   spinningFriction=0.0, linearDamping=0.0)
        self.free_bodies["puck"] = self._puck
        self._strike_from = PUCK_START.copy()
        self._striking = False

    def _reset_task(self, rng: np.random.Generator) -> None:
        xy = PUCK_START + rng.uniform(-0.015, 0.015, size=2)
        self.place(self._puck, (*xy, PUCK_HEIGHT / 2))
        self._strike_from = xy
        self._striking = False  # the demonstrator's one piece of memory: the strike began

    def _puck_xy(self) -> np.ndarray:
        return np.asarray(self.client.getBasePositionAndOrientation(self._puck)[0][:2])

    def task_points(self) -> dict[str, np.ndarray]:
        puck = np.asarray(self.client.getBasePositionAndOrientation(self._puck)[0])
        return {"puck": puck, "goal": np.array([*GOAL, 0.0])}

    def is_success(self) -> bool:
        return float(np.linalg.norm(self._puck_xy() - GOAL)) < SUCCESS_RADIUS

    def dense_reward(self) -> float:
        puck = self._puck_xy()
        reach = np.linalg.norm(self.embodiment.position()[:2] - puck)
        return float(-0.5 * reach - np.linalg.norm(puck - GOAL))

    def scripted_action(self) -> np.ndarray:
        effector = self.embodiment.position()
        puck = self._puck_xy()
        direction = (GOAL - self._strike_from) / np.linalg.norm(GOAL - self._strike_from)
        behind = (effector[:2] - self._strike_from) @ direction < -0.04
        self._striking |= bool(behind and effector[2] < 0.06)
        followed_through = (effector[:2] - self._strike_from) @ direction > STRIKE_REACH
        if self._striking and followed_through:
            # Struck: stop and lift away so the puck slides on its own.
            return self.move_toward(np.array([*effector[:2], 0.12]), 0.5)
        return push_action(self, puck, GOAL, obj_radius=PUCK_RADIUS, clear_height=0.09,
                           speed=STRIKE_SPEED)


