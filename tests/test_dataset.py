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
