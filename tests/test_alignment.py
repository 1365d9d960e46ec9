"""Time alignment of a demo reference: re-timed synthetic trajectories give the scripted one's
reference; re-rendered clips are the scripted clip at another pace; non-square clips are cropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lbw.policy.reference import (
    PaceRule,
    align_to_pace,
    at_times,
    motion,
    pace,
    resample,
    snap_to_robot,
    uniform_times,
)
from lbw.retiming import TIMINGS, interpolate_state
from lbw.video import center_square, read_video, write_video

LENGTH = 61


def scripted() -> np.ndarray:
    """Keypoints (61, 3, 2) px: one moves right then down at a steady pace, then rests (from
    frame 40); one follows it from frame 20 (a pushed object); one never moves (a goal)."""
    t = np.arange(LENGTH, dtype=float)
    path = np.stack([np.minimum(t, 25.0), np.clip(t - 25.0, 0.0, 15.0)], axis=1)
    follower = np.stack([np.clip(t - 20.0, 0.0, 20.0), np.zeros_like(t)], axis=1)
    goal = np.zeros_like(path)
    return np.stack([10.0 + path, 30.0 + follower, 50.0 + goal], axis=1)


def at_pace(timing: str) -> np.ndarray:
    """The scripted trajectory re-timed as a person would do it (``lbw.retiming.TIMINGS``)."""
    return at_times(scripted(), TIMINGS[timing](LENGTH)).astype(np.float64)


@pytest.mark.parametrize("timing", [t for t in TIMINGS if t != "scripted"])
def test_retimed_trajectories_give_the_scripted_reference(timing: str) -> None:
    nominal = pace(scripted())
    reference = at_times(scripted(), align_to_pace(scripted(), nominal, LENGTH))
    aligned = at_times(at_pace(timing), align_to_pace(at_pace(timing), nominal, LENGTH))
    uniform = resample(at_pace(timing), LENGTH)
    error = np.linalg.norm(aligned - reference, axis=-1).mean()
    assert error < 0.75, f"{timing}: {error:.2f} px"
    if timing in ("idle_start", "idle_end", "pause", "uneven"):  # uniform stretching fails on these
        assert np.linalg.norm(uniform - reference, axis=-1).mean() > 3 * max(error, 0.2)


def test_scripted_at_its_own_pace_is_unchanged() -> None:
    z = scripted()
    times = align_to_pace(z, pace(z), LENGTH)
    np.testing.assert_allclose(at_times(z, times), z, atol=0.6)
    assert np.all(np.diff(times) >= 0)


def test_nominal_pace_sets_the_duration() -> None:
    z = scripted()
    twice = align_to_pace(z, 2 * pace(z), LENGTH)  # a robot twice as fast replays it in half the steps
    assert twice[20] == pytest.approx(40.0, abs=1.5)
    assert twice[29] > 55  # the motion ended at frame 40 (step 20): its final pose held after
    np.testing.assert_allclose(at_times(z, twice)[25:], np.repeat(z[40:41], LENGTH - 25, axis=0), atol=1e-6)


def test_pace_rules() -> None:
    z = scripted()  # moving transitions at 1 px / frame (one keypoint) or √2 (two together)
    speed, moving = motion(z, PaceRule(smoothing=1))
    assert set(np.round(speed[moving], 3)) == {1.0, round(np.sqrt(2), 3)}
    median, mean = PaceRule(smoothing=1), PaceRule(smoothing=1, statistic="mean")
    assert median.of(np.array([1.0, 1.0, 4.0])) == 1.0 and mean.of(np.array([1.0, 1.0, 4.0])) == 2.0
    assert motion(z, PaceRule(idle_fraction=0.8, smoothing=1))[1].sum() == 20  # only the √2 ones
    # Any rule replays a trajectory at its own pace unchanged, the default's smoothing aside.
    for rule in (median, mean, PaceRule(idle_fraction=0.5, smoothing=1)):
        times = align_to_pace(z, pace(z, rule), LENGTH, rule)
        np.testing.assert_allclose(times[:40], np.arange(40), atol=1e-9)


def test_still_clip_and_bad_input() -> None:
    still = np.zeros((30, 4, 2))
    speed, moving = motion(still)
    assert speed.shape == (29,) and not moving.any() and pace(still) == 0.0
    np.testing.assert_array_equal(align_to_pace(still, 1.0, LENGTH), np.zeros(LENGTH))
    with pytest.raises(ValueError, match="nominal_pace"):
        align_to_pace(scripted(), 0.0, LENGTH)
    with pytest.raises(ValueError, match="at least 2 frames"):
        motion(np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="empty"):
        resample(np.zeros((0, 4, 2)), LENGTH)


def test_uniform_times_match_resample() -> None:
    z = at_pace("slow")
    np.testing.assert_allclose(at_times(z, uniform_times(len(z), LENGTH)), resample(z, LENGTH))


def test_interpolate_state() -> None:
    a = {"effector": np.zeros(3), "block": np.array([0, 0, 0, 0, 0, 0, 1.0]), "drawer": np.array([0.0])}
    b = {"effector": np.ones(3), "block": np.array([1, 0, 0, 0, 0, 1, 0.0]), "drawer": np.array([2.0])}
    mid = interpolate_state([a, b], 0.5)
    np.testing.assert_allclose(mid["effector"], 0.5)
    np.testing.assert_allclose(mid["drawer"], 1.0)
    assert np.linalg.norm(mid["block"][3:]) == pytest.approx(1.0)  # a unit quaternion
    np.testing.assert_allclose(interpolate_state([a, b], 1.0)["effector"], 1.0)


def test_non_square_clips_are_cropped_not_squashed(tmp_path: Path) -> None:
    wide = np.zeros((3, 32, 48, 3), np.uint8)
    wide[:, :, 8:40] = 200  # the centre square is bright, the sides dark
    np.testing.assert_array_equal(center_square(wide), wide[:, :, 8:40])
    tall = np.zeros((3, 48, 32, 3), np.uint8)
    assert center_square(tall).shape == (3, 32, 32, 3)
    path = write_video(tmp_path / "wide.mp4", wide, fps=10)
    frames = read_video(path, size=16)
    assert frames.shape == (3, 16, 16, 3) and frames.mean() > 190


def test_snap_to_robot_moves_each_pose_onto_the_nearest_robot_poses() -> None:
    rng = np.random.default_rng(0)
    robot = rng.uniform(0, 64, (200, 3, 2)).astype(np.float32)  # (N, K, 2) px
    # A demo of robot poses, each nudged by under a pixel, and one far from every robot pose.
    demo = robot[[3, 50, 120]] + rng.uniform(-0.3, 0.3, (3, 3, 2)).astype(np.float32)
    snapped = snap_to_robot(demo, robot)
    assert snapped.shape == demo.shape and snapped.dtype == np.float32
    np.testing.assert_array_equal(snapped, robot[[3, 50, 120]])
    # k averages the k nearest: a pose midway between two robot poses lands midway.
    pair = np.stack([np.full((3, 2), 10.0), np.full((3, 2), 12.0)]).astype(np.float32)
    np.testing.assert_allclose(snap_to_robot(np.full((1, 3, 2), 11.4, np.float32), pair, k=2), 11.0)
    assert snap_to_robot(np.full((1, 3, 2), 11.4, np.float32), pair, k=1)[0, 0, 0] == 12.0
    for k in (0, 3):
        with pytest.raises(ValueError, match="k must be in"):
            snap_to_robot(demo, pair, k=k)
