"""Demonstrations: the human clip, its paired robot clip and the sidecar agree."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lbw import envs
from lbw.demo import Demo, DemoError, record_demo
from lbw.video import read_video

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> Demo:
    return record_demo("push", seed=0, image_size=32)


def test_demo_pairs_two_embodiments(demo: Demo) -> None:
    steps = envs.MAX_EPISODE_STEPS + 1
    assert demo.human_frames.shape == demo.robot_frames.shape == (steps, 32, 32, 3)
    assert demo.is_success[-1] and not demo.is_success[0]
    assert set(demo.positions) == {"effector", "block", "goal"}
    assert demo.pixels["block"].shape == (steps, 2)
    # The block moved, and the two clips differ in looks at every frame.
    assert np.linalg.norm(demo.positions["block"][-1] - demo.positions["block"][0]) > 0.1
    difference = np.abs(demo.human_frames.astype(int) - demo.robot_frames.astype(int)).mean(axis=(1, 2, 3))
    assert difference.min() > 10


def test_robot_clip_replays_the_object_trajectory(demo: Demo) -> None:
    """Rendering the robot env at the recorded states shows the block where the human moved it."""
    env = envs.make("push", embodiment="robot", image_size=32, render_mode="rgb_array")
    env.reset(seed=0)
    u, v = demo.pixels["block"][-1]
    r, g, b = demo.robot_frames[-1][int(v), int(u)].astype(int)
    assert r > 120 and g < 90 and b < 90
    env.close()


def test_save_and_refuse_overwrite(demo: Demo, tmp_path: Path) -> None:
    paths = demo.save(tmp_path)
    sidecar = json.loads(paths["sidecar"].read_text())
    assert sidecar["success"] and sidecar["num_frames"] == len(demo.human_frames)
    assert len(sidecar["positions_m"]["block"]) == sidecar["num_frames"]
    assert read_video(paths["human"]).shape == demo.human_frames.shape
    assert read_video(paths["robot"]).shape == demo.robot_frames.shape
    with pytest.raises(DemoError, match="refusing to overwrite"):
        demo.save(tmp_path)


@pytest.mark.parametrize("task", envs.TASKS)
def test_shipped_videos_are_consistent(task: str) -> None:
    """videos/ ships one human clip, its paired robot clip and the sidecar per task."""
    sidecar = json.loads((REPO / "videos" / f"{task}_demo.json").read_text())
    human = read_video(REPO / "videos" / sidecar["human_clip"])
    robot = read_video(REPO / "videos" / sidecar["robot_clip"])
    assert len(human) == len(robot) == sidecar["num_frames"]
    assert sidecar["success"] and sidecar["task"] == task
    # The shipped ground truth is what the current code records for the same seed.
    fresh = record_demo(task, seed=sidecar["seed"], image_size=sidecar["image_size"])
    for name, positions in sidecar["positions_m"].items():
        np.testing.assert_allclose(fresh.positions[name], positions, atol=1e-4)
    # And the clips show what was recorded (up to video compression).
    assert np.abs(human.astype(int) - fresh.human_frames).mean() < 2.0
    assert np.abs(robot.astype(int) - fresh.robot_frames).mean() < 2.0
