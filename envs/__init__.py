"""Simulated tabletop tasks for lbw (import name ``lbw.envs``), registered with gymnasium on import.

    import gymnasium as gym
    from lbw import envs

    env = gym.make("lbw/Push-v0", embodiment="robot", obs_mode="pixels")
    env = envs.make("push", embodiment="human", image_size=64)   # the same by task name

Ids: ``lbw/Reach-v0``, ``lbw/Push-v0``, ``lbw/Slide-v0``, ``lbw/DrawerClose-v0``,
``lbw/CoffeePush-v0``; every one takes ``embodiment``, ``image_size``, ``obs_mode``,
``appearance`` and ``render_mode`` (see ``lbw.envs.base.TabletopEnv``).

Your own task is a ``TabletopEnv`` subclass made known by one call, after which every lbw
command and config accepts its name (see docs/custom_task.md):

    envs.register_task("reach_far", "my_tasks:ReachFarEnv")   # id lbw/ReachFar-v0
"""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

from lbw.envs import scene as _scene  # noqa: F401  (first: imports pybullet quietly)
from lbw.envs.base import TabletopEnv

MAX_EPISODE_STEPS = 60
EMBODIMENTS = ("robot", "human")

TASK_IDS: dict[str, str] = {}  # task name → gymnasium id, every registered task
_ENTRY_POINTS: dict[str, str | type[TabletopEnv]] = {}


def register_task(name: str, entry_point: str | type[TabletopEnv], env_id: str | None = None) -> str:
    """Make a task known to lbw and gymnasium; returns its gymnasium id.

    Args:
        name: the task's name in configs and commands (``task: reach_far``), snake_case.
        entry_point: a ``TabletopEnv`` subclass or ``"module:Class"`` (imported on first use).
        env_id: the gymnasium id; default ``lbw/<CamelName>-v0``.

    Registering a name again with the same entry point does nothing; with another, it is an error.
    Episodes last ``MAX_EPISODE_STEPS`` steps, as lbw's demonstrations and rewards assume.
    """
    if not name.isidentifier() or name != name.lower():
        raise ValueError(f"task name {name!r}: use snake_case (letters, digits, _)")
    if name in _ENTRY_POINTS:
        if _ENTRY_POINTS[name] != entry_point:
            raise ValueError(f"task {name!r} is already registered with {_ENTRY_POINTS[name]!r}")
        return TASK_IDS[name]
    env_id = env_id or "lbw/" + "".join(part.title() for part in name.split("_")) + "-v0"
    if env_id not in registry:
        register(id=env_id, entry_point=entry_point, max_episode_steps=MAX_EPISODE_STEPS)
    TASK_IDS[name], _ENTRY_POINTS[name] = env_id, entry_point
    return env_id


for _task, _class in (
    ("reach", "ReachEnv"),
    ("push", "PushEnv"),
    ("slide", "SlideEnv"),
    ("drawer_close", "DrawerCloseEnv"),
    ("coffee_push", "CoffeePushEnv"),
):
    register_task(_task, f"lbw.envs.tasks.{_task}:{_class}")
TASKS = tuple(TASK_IDS)  # the tasks lbw ships (registered_tasks(): these and any added since)


def registered_tasks() -> tuple[str, ...]:
    """Every task name known now: the shipped ones, then those added by ``register_task``."""
    return tuple(TASK_IDS)


def _known(task: str) -> str:
    if task not in TASK_IDS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASK_IDS)}")
    return task


def task_class(task: str) -> type[TabletopEnv]:
    """The env class of a task name (``"push"`` → ``PushEnv``)."""
    from gymnasium.envs.registration import load_env_creator

    entry_point = _ENTRY_POINTS[_known(task)]
    return entry_point if isinstance(entry_point, type) else load_env_creator(entry_point)


def make(task: str, **kwargs):
    """``gymnasium.make`` by task name (``"push"``), with a clear error for an unknown task."""
    import gymnasium as gym

    return gym.make(TASK_IDS[_known(task)], **kwargs)


__all__ = [
    "EMBODIMENTS",
    "MAX_EPISODE_STEPS",
    "TASKS",
    "TASK_IDS",
    "TabletopEnv",
    "make",
    "register_task",
    "registered_tasks",
    "task_class",
]
