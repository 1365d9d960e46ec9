"""Simulated tabletop tasks for lbw, registered with gymnasium on import.

    import gymnasium as gym
    import envs

    env = gym.make("lbw/Push-v0", embodiment="robot", obs_mode="pixels")

Ids: ``lbw/Reach-v0``, ``lbw/Push-v0``, ``lbw/Slide-v0``, ``lbw/DrawerClose-v0``,
``lbw/CoffeePush-v0``; every one takes ``embodiment``, ``image_size``, ``obs_mode`` and
``render_mode`` (see ``envs.base.TabletopEnv``).
"""

from gymnasium.envs.registration import register, registry

from envs import scene as _scene  # noqa: F401  (first: imports pybullet quietly)
from envs.base import TabletopEnv

MAX_EPISODE_STEPS = 60

TASK_IDS: dict[str, str] = {
    "reach": "lbw/Reach-v0",
    "push": "lbw/Push-v0",
    "slide": "lbw/Slide-v0",
    "drawer_close": "lbw/DrawerClose-v0",
    "coffee_push": "lbw/CoffeePush-v0",
}
_ENTRY_POINTS = {
    "reach": "envs.tasks.reach:ReachEnv",
    "push": "envs.tasks.push:PushEnv",
    "slide": "envs.tasks.slide:SlideEnv",
    "drawer_close": "envs.tasks.drawer_close:DrawerCloseEnv",
    "coffee_push": "envs.tasks.coffee_push:CoffeePushEnv",
}
TASKS = tuple(TASK_IDS)
EMBODIMENTS = ("robot", "human")

for _task, _id in TASK_IDS.items():
    if _id not in registry:
        register(id=_id, entry_point=_ENTRY_POINTS[_task], max_episode_steps=MAX_EPISODE_STEPS)


def _known(task: str) -> str:
    if task not in TASK_IDS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    return task


def task_class(task: str) -> type[TabletopEnv]:
    """The env class of a task name (``"push"`` → ``PushEnv``)."""
    from gymnasium.envs.registration import load_env_creator

    return load_env_creator(_ENTRY_POINTS[_known(task)])


def make(task: str, **kwargs):
    """``gymnasium.make`` by task name (``"push"``), with a clear error for an unknown task."""
    import gymnasium as gym

    return gym.make(TASK_IDS[_known(task)], **kwargs)


__all__ = ["EMBODIMENTS", "MAX_EPISODE_STEPS", "TASKS", "TASK_IDS", "TabletopEnv", "make", "task_class"]
