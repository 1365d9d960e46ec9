"""Unpaired frame datasets: collection moves the objects, save/load round trip, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lbw.dataset import DatasetError, FrameDataset, collect_frames, load_frames


@pytest.fixture(scope="module")
def small() -> FrameDataset:
    return collect_frames("push", "robot", num_frames=150, seed=0, image_size=32, progress=False)


def test_collect_shapes_and_ground_truth(small: FrameDataset) -> None:
    assert small.frames.shape == (150, 32, 32, 3) and small.frames.dtype == np.uint8
    assert small.point_names == ["effector", "block", "goal"]
    assert small.pixels.shape == (150, 3, 2)
    assert small.meta["task"] == "push" and small.meta["domain"] == "robot"
    # Episodes are consecutive runs of steps 0, 1, 2, …
    starts = np.flatnonzero(small.step == 0)
    assert starts[0] == 0 and len(starts) == small.meta["num_episodes"] == 3
    assert np.all(np.diff(small.episode) >= 0)


def test_collect_moves_the_objects_not_only_the_arm(small: FrameDataset) -> None:
    block = small.pixels[:, 1]
    moved = [
        np.abs(block[small.episode == e] - block[small.episode == e][0]).max()
        for e in np.unique(small.episode)
    ]
    assert max(moved) > 2.0  # pixels


def test_collect_is_seeded() -> None:
    a = collect_frames("reach", "human", num_frames=20, seed=1, image_size=16, progress=False)
    b = collect_frames("reach", "human", num_frames=20, seed=1, image_size=16, progress=False)
    np.testing.assert_array_equal(a.frames, b.frames)


def test_quiet_demos_reach_the_goal_states() -> None:
    """Light-noise demonstrator episodes bring slide's puck to rest on its goal, which the
    default mix of heavy noise and waypoints does not in these episodes."""

    def final_goal_distances(quiet: float) -> np.ndarray:
        data = collect_frames(
            "slide", "robot", num_frames=240, seed=3, image_size=32, progress=False, quiet_demos=quiet
        )
        last = np.flatnonzero(np.diff(np.append(data.episode, -1)))  # each episode's last frame
        puck, goal = data.point_names.index("puck"), data.point_names.index("goal")
        return np.linalg.norm(data.pixels[last, puck] - data.pixels[last, goal], axis=-1)

    quiet, default = final_goal_distances(1.0), final_goal_distances(0.0)
    assert (quiet < 3).sum() >= 3 and (default < 3).sum() == 0  # px of 32
    with pytest.raises(ValueError, match="quiet_demos"):
        collect_frames("slide", "robot", num_frames=5, progress=False, quiet_demos=1.5)


def test_quiet_demos_off_keeps_earlier_datasets(tmp_path: Path) -> None:
    """quiet_demos=0 draws nothing more: the frames and the stage's name are those made before
    the key existed."""
    from lbw.config import load_config
    from lbw.stages import data_path

    a = collect_frames("reach", "robot", num_frames=30, seed=2, image_size=16, progress=False)
    b = collect_frames(
        "reach", "robot", num_frames=30, seed=2, image_size=16, progress=False, quiet_demos=0.0
    )
    np.testing.assert_array_equal(a.frames, b.frames)
    base = load_config(None, ["task=reach"])
    assert data_path(base, "robot").name == "data_robot-5c5a6db143.npz"  # the name before the key
    quiet = load_config(None, ["task=reach", "data.quiet_demos=0.25"])
    assert data_path(quiet, "robot") != data_path(base, "robot")


def test_wide_starts_spread_the_objects() -> None:
    """data.starts=wide collects scenes with the objects spread as wide-start episodes put them;
    the default keeps the stage's name made before the key."""
    from lbw.config import load_config
    from lbw.stages import data_path

    def block_spread(starts: str) -> float:
        data = collect_frames(
            "push", "robot", num_frames=480, seed=4, image_size=16, progress=False, starts=starts
        )
        first = np.flatnonzero(np.diff(np.append(-1, data.episode)))  # each episode's first frame
        assert data.meta["starts"] == starts and len(first) == 8
        return float(data.pixels[first, data.point_names.index("block")].std(0).max())

    assert block_spread("wide") > 1.8 * block_spread("default")
    base = load_config(None, ["task=reach"])
    assert data_path(load_config(None, ["task=reach", "data.starts=default"]), "robot") == data_path(
        base, "robot"
    )
    assert data_path(load_config(None, ["task=reach", "data.starts=wide"]), "robot") != data_path(
        base, "robot"
    )


def test_save_load_round_trip(small: FrameDataset, tmp_path: Path) -> None:
    path = small.save(tmp_path / "push_robot.npz")
    back = load_frames(path)
    np.testing.assert_array_equal(back.frames, small.frames)
    np.testing.assert_array_equal(back.episode, small.episode)
    np.testing.assert_allclose(back.pixels, small.pixels)
    assert back.point_names == small.point_names and back.meta["seed"] == 0
    with pytest.raises(DatasetError, match="refusing to overwrite"):
        small.save(path)
    small.save(path, overwrite=True)


def test_load_errors(small: FrameDataset, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such dataset"):
        load_frames(tmp_path / "missing.npz")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip archive")
    with pytest.raises(DatasetError, match="garbage.npz: unreadable"):
        load_frames(garbage)
    other = tmp_path / "other.npz"
    np.savez(other, frames=small.frames)
    with pytest.raises(DatasetError, match="missing episode"):
        load_frames(other)


def test_validate_rejects_bad_shapes(small: FrameDataset) -> None:
    bad = FrameDataset(small.frames[..., 0], small.episode, small.step, small.pixels, small.point_names)
    with pytest.raises(DatasetError, match="frames must be uint8"):
        bad.validate()
    bad = FrameDataset(small.frames, small.episode[:-1], small.step, small.pixels, small.point_names)
    with pytest.raises(DatasetError, match="episode has shape"):
        bad.validate()
    with pytest.raises(ValueError, match="num_frames"):
        collect_frames("push", "robot", num_frames=0)


def test_selection_frames_are_drawn_from_the_training_looks(tmp_path: Path) -> None:
    """The frames that choose a translator's snapshot show the looks it was trained on: a
    training on tables of any hue is judged on them too."""
    from lbw.config import load_config
    from lbw.stages import selection_frames

    overrides = [f"root={tmp_path}", "task=reach", "data.frames=8"]
    for looks in ("varied", "varied_tables"):
        config = load_config(None, [*overrides, f"data.human_appearance={looks}"])
        human = selection_frames(config, "human", progress=False)
        assert human.meta["appearance"] == looks and human.meta["seed"] == 2000
        assert selection_frames(config, "robot", progress=False).meta["appearance"] is None
