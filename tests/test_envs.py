"""The ten (task × embodiment) environments: gymnasium conformance, ground truth, control."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from lbw import envs
from lbw.envs.base import SHADOW_Z
from lbw.envs.tasks import PushEnv

ALL = [(t, e) for t in envs.TASKS for e in envs.EMBODIMENTS]


@pytest.mark.parametrize("obs_mode", ["state", "pixels"])
@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_check_env(task: str, embodiment: str, obs_mode: str) -> None:
    env = envs.make(task, embodiment=embodiment, obs_mode=obs_mode, image_size=32, render_mode="rgb_array")
    check_env(env.unwrapped, skip_render_check=False)
    env.close()


@pytest.mark.parametrize("task", envs.TASKS)
def test_registered_with_time_limit(task: str) -> None:
    env = gym.make(envs.TASK_IDS[task])
    assert env.spec.max_episode_steps == envs.MAX_EPISODE_STEPS <= 60
    env.reset(seed=0)
    steps, truncated = 0, False
    while not truncated:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        assert not terminated
        steps += 1
    assert steps == envs.MAX_EPISODE_STEPS
    env.close()


def test_metadata_and_frames() -> None:
    env = envs.make("push", render_mode="rgb_array", image_size=40)
    assert env.metadata["render_modes"] == ["rgb_array"] and env.metadata["render_fps"] > 0
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == (40, 40, 3)
    env.close()


@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_seeded_reset_is_reproducible_and_randomised(task: str, embodiment: str) -> None:
    env = envs.make(task, embodiment=embodiment)
    first, _ = env.reset(seed=3)
    again, _ = env.reset(seed=3)
    other, _ = env.reset(seed=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.abs(first - other).max() < 0.05  # small randomisation only
    env.close()


@pytest.mark.parametrize("task", envs.TASKS)
def test_embodiments_share_objects_camera_but_not_looks(task: str) -> None:
    robot = envs.make(task, embodiment="robot", render_mode="rgb_array")
    human = envs.make(task, embodiment="human", render_mode="rgb_array")
    _, robot_info = robot.reset(seed=1)
    _, human_info = human.reset(seed=1)
    for name, position in robot_info["positions"].items():
        np.testing.assert_allclose(human_info["positions"][name], position, atol=1e-6)
    difference = np.abs(robot.render().astype(int) - human.render().astype(int)).mean()
    assert difference > 20  # a different table, wall and light
    robot.close()
    human.close()


def test_info_ground_truth_matches_the_image() -> None:
    """The block's projected pixel is on the red block in the rendered frame."""
    env = envs.make("push", render_mode="rgb_array", image_size=64)
    _, info = env.reset(seed=0)
    assert set(info) >= {"is_success", "positions", "pixels"}
    assert list(info["positions"]) == ["effector", "block", "goal"]
    u, v = info["pixels"]["block"]
    assert 0 <= u < 64 and 0 <= v < 64
    r, g, b = env.render()[int(v), int(u)].astype(int)
    assert r > 120 and g < 80 and b < 80, (r, g, b)
    env.close()


def test_actions_move_the_effector_within_the_workspace() -> None:
    env = envs.make("reach")
    _, info = env.reset(seed=0)
    start = info["positions"]["effector"]
    _, _, _, _, info = env.step(np.array([1.0, 0.0, 0.0], np.float32))
    moved = info["positions"]["effector"] - start
    assert 0.01 < moved[0] <= env.unwrapped.ACTION_SCALE + 1e-3 and abs(moved[1]) < 0.003
    for _ in range(40):
        _, _, _, _, info = env.step(np.array([5.0, -5.0, -5.0], np.float32))  # clipped to [-1, 1]
    effector = info["positions"]["effector"]
    unwrapped = env.unwrapped
    assert np.all(effector >= unwrapped.WORKSPACE_LOW - 0.01)
    assert np.all(effector <= unwrapped.WORKSPACE_HIGH + 0.01)
    env.close()


@pytest.mark.parametrize(
    "kwargs", [{"embodiment": "alien"}, {"obs_mode": "depth"}, {"image_size": 0}, {"render_mode": "human"}]
)
def test_bad_arguments_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        PushEnv(**kwargs)


def test_unknown_task_and_bad_action_raise() -> None:
    with pytest.raises(ValueError, match="unknown task"):
        envs.make("juggle")
    env = envs.make("push")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.unwrapped.step(np.array([0.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="action"):
        env.unwrapped.step(np.zeros(2))
    env.close()


def _demonstrator_successes(task: str, embodiment: str, seeds: range) -> int:
    env = envs.make(task, embodiment=embodiment)
    successes = 0
    for seed in seeds:
        env.reset(seed=seed)
        truncated, info = False, {}
        while not truncated:
            _, _, _, truncated, info = env.step(env.unwrapped.scripted_action())
        successes += info["is_success"]
    env.close()
    return successes


@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_scripted_demonstrator_succeeds(task: str, embodiment: str) -> None:
    assert _demonstrator_successes(task, embodiment, range(3)) == 3


@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_random_actions_rarely_succeed(task: str, embodiment: str) -> None:
    """Success is not free: doing nothing fails, so the demonstrator's success means something."""
    env = envs.make(task, embodiment=embodiment)
    _, info = env.reset(seed=0)
    for _ in range(10):
        _, _, _, _, info = env.step(np.zeros(3, np.float32))
    assert not info["is_success"]
    env.close()


@pytest.mark.slow
@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_scripted_demonstrator_succeeds_on_95_of_100_seeds(task: str, embodiment: str) -> None:
    assert _demonstrator_successes(task, embodiment, range(100)) >= 95


@pytest.mark.parametrize(("task", "embodiment"), ALL)
def test_the_effector_casts_a_shadow_on_the_table(task: str, embodiment: str) -> None:
    """The depth cue: a dark disc on the table straight under the effector, wherever it is."""
    env = envs.make(task, embodiment=embodiment, render_mode="rgb_array", image_size=128).unwrapped
    env.reset(seed=0)
    for target in ([-0.15, -0.10, 0.14], [0.0, 0.10, 0.06]):  # where no task has objects
        for _ in range(20):
            env.step(env.move_toward(target))
        x, y, _ = env.embodiment.position()
        u, v = env.camera.project(np.array([x, y, SHADOW_Z]), 128).astype(int)
        assert env.render()[v, u].max() < 60, "no shadow under the effector"
    env.close()


def test_oracle_reward_of_pushing_prefers_the_contact_height_to_hovering() -> None:
    # A table-plane reach term let SAC hover above the block forever; the reach is 3-D.
    env = envs.make("push").unwrapped
    env.reset(seed=0)
    behind = env.object_position()[:2] - np.array([0.05, 0.0])
    env.embodiment.teleport(np.array([*behind, 0.045]))
    at_contact_height = env.dense_reward()
    env.embodiment.teleport(np.array([*behind, 0.25]))
    assert at_contact_height > env.dense_reward() + 0.05
    env.close()


@pytest.mark.parametrize("task", envs.TASKS)
def test_wide_starts_spread_wider_and_leave_the_default_alone(task: str) -> None:
    """starts="wide" scales every start range by the task's WIDE_SPREAD; the default episodes
    are the ones every result was measured on (same draws, same states)."""

    def starts(env: gym.Env) -> np.ndarray:
        rows = []
        for seed in range(12):
            _, info = env.reset(seed=seed)
            rows.append(np.concatenate([p[:2] for p in info["positions"].values()]))
        return np.array(rows)

    default, wide = envs.make(task), envs.make(task, starts="wide")
    again = envs.make(task, starts="default")
    spread_default, spread_wide = np.ptp(starts(default), axis=0), np.ptp(starts(wide), axis=0)
    assert spread_wide.max() > 2 * spread_default.max() and wide.unwrapped.WIDE_SPREAD > 1
    np.testing.assert_array_equal(starts(again), starts(default))
    check_env(wide.unwrapped, skip_render_check=True)
    with pytest.raises(ValueError, match="starts"):
        envs.make(task, starts="everywhere")
