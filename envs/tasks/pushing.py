"""The scripted pushing skill shared by the push, slide and coffee_push demonstrators."""

from __future__ import annotations

import numpy as np

from envs.base import TabletopEnv

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
