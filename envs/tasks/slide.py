"""Slide: strike a low-friction puck so that it slides on its own into a far region."""

from __future__ import annotations

import numpy as np

from lbw.envs.scene import cylinder
from lbw.envs.tasks.pushing import ObjectToGoalEnv, push_action

PUCK_RADIUS, PUCK_HEIGHT = 0.03, 0.02  # m
STRIKE_SPEED = 0.52  # fraction of full effector speed: the puck leaves at about 0.3 m/s
STRIKE_REACH = 0.06  # m the demonstrator follows through past the puck's start


class SlideEnv(ObjectToGoalEnv):
    """Strike the puck so that it comes to rest within 7 cm of the far blue region's centre."""

    # starts='wide': puck ±3.75 cm, effector ±5 cm (demonstrator 100/100; replay 5 of 50)
    WIDE_SPREAD = 2.5

    OBJECT = "puck"
    OBJECT_START = np.array([-0.14, -0.04])
    OBJECT_Z = PUCK_HEIGHT / 2
    OBJECT_RADIUS = PUCK_RADIUS
    START_NOISE = 0.015
    GOAL = np.array([0.20, -0.02])
    SUCCESS_RADIUS = 0.07
    CLEAR_HEIGHT = 0.09

    def _build_objects(self) -> None:
        cylinder(
            self.client,
            self.SUCCESS_RADIUS,
            0.002,
            (*self.GOAL, 0.001),
            (0.15, 0.35, 0.85, 1.0),
            collide=False,
        )
        self._object = cylinder(
            self.client,
            PUCK_RADIUS,
            PUCK_HEIGHT,
            (*self.OBJECT_START, self.OBJECT_Z),
            (0.95, 0.8, 0.1, 1.0),
            mass=0.1,
        )
        # Bullet multiplies the two friction coefficients: 0.5 (table) × 0.04 → μ = 0.02.
        self.client.changeDynamics(
            self._object,
            -1,
            lateralFriction=0.04,
            rollingFriction=0.0,
            spinningFriction=0.0,
            linearDamping=0.0,
        )
        self.free_bodies[self.OBJECT] = self._object
        self._strike_from = self.OBJECT_START.copy()
        self._striking = False

    def _reset_task(self, rng: np.random.Generator) -> None:
        super()._reset_task(rng)
        self._strike_from = self.object_position()[:2]
        self._striking = False  # the demonstrator's one piece of memory: the strike began

    def scripted_action(self) -> np.ndarray:
        """Line up behind the puck, push it at a set speed for a short stroke, then lift away so
        that it slides on alone: the speed at release, not contact details, sets how far."""
        effector = self.embodiment.position()
        direction = (self.GOAL - self._strike_from) / np.linalg.norm(self.GOAL - self._strike_from)
        progress = (effector[:2] - self._strike_from) @ direction
        self._striking |= bool(progress < -0.04 and effector[2] < 0.06)
        if self._striking and progress > STRIKE_REACH:
            return self.move_toward(np.array([*effector[:2], 0.12]), 0.5)
        return push_action(
            self, self.object_position()[:2], self.GOAL, PUCK_RADIUS, self.CLEAR_HEIGHT, speed=STRIKE_SPEED
        )
