"""Pushing an object to a goal: the scripted skill and the task base class shared by push,
slide and coffee_push."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from lbw.envs.base import TabletopEnv

PUSH_HEIGHT = 0.045  # m, effector point while pushing: fingertips 1 cm above the table
GOAL_TOLERANCE = 0.012  # m, object-to-goal distance at which the pusher stops


def push_action(
    env: TabletopEnv,
    obj_xy: np.ndarray,
    goal_xy: np.ndarray,
    obj_radius: float,
    clear_height: float,
    speed: float = 1.0,
) -> np.ndarray:
    """Action (3,) that pushes an object of radius ``obj_radius`` (m) at ``obj_xy`` toward
    ``goal_xy`` (m).

    Closed loop: go (above the object) to the point just behind it on the line from the goal
    through the object, descend, then drive toward the object's far side along that line,
    which also corrects any sideways drift. ``clear_height`` is an effector height that passes
    over the object.
    """
    effector = env.embodiment.position()
    to_goal = goal_xy - obj_xy
    distance = float(np.linalg.norm(to_goal))
    if distance < GOAL_TOLERANCE:  # there: back off upwards and leave the object alone
        return env.move_toward(np.array([*effector[:2], clear_height]), 0.5)
    u = to_goal / distance
    contact_offset = obj_radius + env.embodiment.reach_along(u) + 0.008
    rel = effector[:2] - obj_xy
    along = float(rel @ u)
    lateral = float(np.linalg.norm(rel - along * u))
    behind = obj_xy - u * contact_offset
    # Hysteresis: line up within 1.5 cm to start, keep pushing while within 3 cm.
    pushing = effector[2] < PUSH_HEIGHT + 0.02 and along < -0.6 * contact_offset
    if pushing and lateral < 0.03:
        # Aim a little past the contact point on the push line: pushes and steers at once.
        aim = obj_xy - u * (contact_offset - 0.06)
        slow_down = float(np.clip(distance / 0.06, 0.3, 1.0))  # so the object stops on target
        return env.move_toward(np.array([*aim, PUSH_HEIGHT]), speed * slow_down)
    if float(np.linalg.norm(effector[:2] - behind)) < 0.015:
        return env.move_toward(np.array([*behind, PUSH_HEIGHT]), 1.0)
    near_object = float(np.linalg.norm(rel)) < contact_offset + 0.03
    if near_object and effector[2] < clear_height - 0.01:
        return env.move_toward(np.array([*effector[:2], clear_height]), 1.0)
    return env.move_toward(np.array([*behind, max(clear_height, PUSH_HEIGHT)]), 1.0)


class ObjectToGoalEnv(TabletopEnv):
    """A task whose success is a free object resting within ``SUCCESS_RADIUS`` of ``GOAL`` in
    the table plane; the scripted demonstrator pushes it there. Subclasses build the object
    (``_build_objects`` sets ``self._object`` and registers it in ``free_bodies``) and set the
    class constants."""

    OBJECT: ClassVar[str]  # the object's point name in info and observations
    OBJECT_START: ClassVar[np.ndarray]  # nominal (x, y) at reset, m
    OBJECT_Z: ClassVar[float]  # height of the object's centre when it stands on the table, m
    OBJECT_RADIUS: ClassVar[float]  # m, for the pusher's stand-off
    START_NOISE: ClassVar[float] = 0.02  # m, uniform in x and y
    GOAL: ClassVar[np.ndarray]  # (x, y), m
    GOAL_NAME: ClassVar[str] = "goal"
    GOAL_Z: ClassVar[float] = 0.0  # height of the goal point reported in info, m
    SUCCESS_RADIUS: ClassVar[float]
    CLEAR_HEIGHT: ClassVar[float]  # an effector height that passes over the object, m
    PUSH_SPEED: ClassVar[float] = 0.6

    _object: int

    def _reset_task(self, rng: np.random.Generator) -> None:
        noise = self.START_NOISE * self.spread
        xy = self.OBJECT_START + rng.uniform(-noise, noise, size=2)
        self.place(self._object, (*xy, self.OBJECT_Z))

    def object_position(self) -> np.ndarray:
        """The object's centre, world frame, m, (3,)."""
        return np.asarray(self.client.getBasePositionAndOrientation(self._object)[0])

    def task_points(self) -> dict[str, np.ndarray]:
        return {self.OBJECT: self.object_position(), self.GOAL_NAME: np.array([*self.GOAL, self.GOAL_Z])}

    def goal_distance(self) -> float:
        return float(np.linalg.norm(self.object_position()[:2] - self.GOAL))

    def is_success(self) -> bool:
        return self.goal_distance() < self.SUCCESS_RADIUS

    def dense_reward(self) -> float:
        # Reach in 3-D, to the object at pushing height: with a table-plane distance SAC learned
        # to hover 25 cm above the block (no cost, no risk) and never pushed it.
        contact = np.array([*self.object_position()[:2], PUSH_HEIGHT])
        reach = np.linalg.norm(self.embodiment.position() - contact)
        return float(-0.5 * reach - self.goal_distance())

    def scripted_action(self) -> np.ndarray:
        return push_action(
            self,
            self.object_position()[:2],
            self.GOAL,
            self.OBJECT_RADIUS,
            self.CLEAR_HEIGHT,
            self.PUSH_SPEED,
        )
