"""Perception measures: the probe recovers a known map; fidelity is zero for identical frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lbw.dataset import collect_frames
from lbw.demo import record_demo
from lbw.evaluation.perception import (
    LinearProbe,
    comparison_picture,
    evaluate_perception,
    in_view,
    keypoint_probe,
    looks_picture,
    translation_fidelity,
)
from lbw.keypoints import KeypointDetector, TransporterConfig, TransporterTrainConfig, TransporterTrainer
from lbw.keypoints.gap import (
    choose_snapshot,
    frechet_distance,
    plot_snapshot_selection,
    round_trip_error,
    unpaired_keypoint_gap,
)


def test_probe_recovers_a_linear_map() -> None:
    rng = np.random.default_rng(0)
    keypoints = rng.uniform(0, 64, size=(200, 3, 2))
    weights = rng.normal(size=(7, 4))
    pixels = (np.concatenate([keypoints.reshape(200, -1), np.ones((200, 1))], 1) @ weights).reshape(200, 2, 2)
    probe = LinearProbe.fit(keypoints[:150], pixels[:150], ["a", "b"])
    np.testing.assert_allclose(probe.predict(keypoints[150:]), pixels[150:], atol=1e-6)


def test_probe_leaves_out_points_out_of_view() -> None:
    # Point "a" follows a linear map while in the 64-px frame; out of it, where no keypoint can
    # see it, its pixels are arbitrary: they must neither bend the fit nor count in the error.
    rng = np.random.default_rng(0)
    keypoints = rng.uniform(0, 60, size=(200, 3, 2))
    pixels = keypoints[:, :2] + 1.0  # (200, 2, 2): a shift of the first two keypoints
    pixels[::10, 0] = [-30.0, 90.0]  # "a" out of view in 20 frames, wherever they are
    visible = in_view(pixels, 64)
    assert visible[:, 1].all() and visible[:, 0].sum() == 180
    probe = LinearProbe.fit(keypoints, pixels, ["a", "b"], visible)
    np.testing.assert_allclose(
        probe.predict(keypoints)[visible[:, 0], 0], pixels[visible[:, 0], 0], atol=1e-6
    )
    np.testing.assert_allclose(probe.predict(keypoints)[:, 1], pixels[:, 1], atol=1e-6)
    unmasked = LinearProbe.fit(keypoints, pixels, ["a", "b"])  # the out-of-view frames pull it off
    assert np.abs(unmasked.predict(keypoints)[visible[:, 0], 0] - pixels[visible[:, 0], 0]).max() > 1.0


def test_frechet_distance_of_shifted_and_scaled_gaussians() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 3))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-4)
    assert frechet_distance(x, x + [3.0, 4.0, 0.0]) == pytest.approx(5.0, abs=1e-3)  # |Δμ|
    # Same mean, σ 1 vs 2 on 3 axes: √(3 (2 − 1)²) = √3.
    assert frechet_distance(x, 2 * rng.normal(size=(20000, 3))) == pytest.approx(np.sqrt(3), abs=0.05)


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> KeypointDetector:
    config = TransporterTrainConfig(model=TransporterConfig(num_keypoints=3, width=4, image_size=32))
    path = TransporterTrainer(config).save(tmp_path_factory.mktemp("kp") / "transporter.pt")
    return KeypointDetector.load(path)


def test_probe_and_fidelity_on_a_tiny_detector(detector: KeypointDetector) -> None:
    heldout = collect_frames("push", "robot", 120, seed=5, image_size=32, progress=False)
    probe, result = keypoint_probe(detector, heldout)
    assert set(result["points"]) == {"effector", "block"}  # the fixed goal has nothing to explain
    assert result["fit_frames"] + result["test_frames"] == 120
    assert all(v["error_px"] >= 0 for v in result["points"].values())
    assert all(0 <= v["out_of_view_frames"] <= result["test_frames"] for v in result["points"].values())

    demo = record_demo("push", seed=0, image_size=32)
    identity = lambda frames: frames  # noqa: E731  (a "translator" that changes nothing)
    fidelity = translation_fidelity(detector, probe, [demo], {"identity": identity})
    assert fidelity["paired_robot"]["keypoint_distance_px"] == 0.0
    assert fidelity["identity"]["keypoint_distance_px"] == fidelity["no_translation"]["keypoint_distance_px"]
    assert fidelity["no_translation"]["keypoint_distance_px"] > 0.0

    human = collect_frames("push", "human", 120, seed=5, image_size=32, progress=False)
    dark = record_demo("push", seed=0, image_size=32, appearance="dark_skin_green_sleeve")
    evaluation = evaluate_perception(
        "push",
        detector,
        {"identity": identity},
        heldout,
        {"default": [demo], "dark_skin_green_sleeve": [dark]},
        human,
        position_episodes=5,
    )
    assert evaluation["keypoint_probe"] == result  # the same measures, gathered in one dict
    position = evaluation["effector_position_probe"]
    assert position["test_frames"] == 60 and position["error_cm"] > 0.0
    assert set(position["axis_error_cm"]) == set(position["axis_r2"]) == {"x", "y", "z"}
    assert evaluation["translation"]["identity"] == fidelity["identity"] and evaluation["demos"] == [0]
    by_look = evaluation["translation_by_look"]
    assert by_look["default"] == evaluation["translation"] and set(by_look) == {
        "default",
        "dark_skin_green_sleeve",
    }
    # Another demonstrator: the same paired robot clip, other human frames.
    assert by_look["dark_skin_green_sleeve"]["paired_robot"] == by_look["default"]["paired_robot"]
    assert by_look["dark_skin_green_sleeve"]["no_translation"] != by_look["default"]["no_translation"]
    gap = evaluation["unpaired_keypoint_gap_px"]
    assert set(gap) == {"robot_halves", "no_translation", "identity"}
    assert gap["identity"] == gap["no_translation"] > 0.0
    # Robot frames in place of the human ones: no gap at all.
    assert unpaired_keypoint_gap(detector, heldout, heldout, {})["no_translation"] == pytest.approx(
        0, abs=1e-3
    )

    picture = comparison_picture(detector, demo, {"identity": identity}, moments=4, scale=3)
    assert picture.shape == (18 + 4 * 96, 3 * 96, 3) and picture.dtype == np.uint8
    looks = looks_picture(detector, {"default": demo, "dark": dark}, {"identity": identity}, scale=2)
    assert looks.shape == (2 * (18 + 64), 2 * 3 * 64, 3)  # a row per look: 2 moments × 3 frames


class _Back:
    """A stand-in translator whose round trip applies ``way`` (None: cannot translate back)."""

    def __init__(self, way) -> None:
        self.way = way

    def round_trip(self, frames: np.ndarray, seed: int = 0) -> np.ndarray | None:
        return None if self.way is None else self.way(frames)


def _brightest(frames: np.ndarray) -> np.ndarray:
    """A one-keypoint "detector": the (u, v) of each frame's brightest pixel, (T, 1, 2)."""
    flat = frames.sum(-1).reshape(len(frames), -1).argmax(1)
    v, u = np.unravel_index(flat, frames.shape[1:3])
    return np.stack([u, v], -1)[:, None].astype(np.float32)


def test_round_trip_error_is_the_keypoint_distance_there_and_back() -> None:
    frames = np.zeros((4, 16, 16, 3), np.uint8)
    for i in range(4):
        frames[i, 3 + i, 2 + i] = 255
    shifted = _Back(lambda f: np.roll(f, 6, axis=2))  # everything 6 px to the right
    trips = round_trip_error(
        _brightest, frames, {"same": _Back(lambda f: f), "shifted": shifted, "none": _Back(None)}
    )
    assert trips == {"same": 0.0, "shifted": 6.0, "none": None}
    known = round_trip_error(_brightest, frames, {"shifted": shifted}, robot_keypoints=_brightest(frames))
    assert known == {"shifted": 6.0}  # the robot frames' keypoints passed in, as the selection does


def test_choose_snapshot_passes_over_one_that_loses_the_pose() -> None:
    gaps = {"iter_500": 9.2, "iter_1000": 14.9, "iter_3500": 10.7, "iter_4000": 11.3}
    trips = {"iter_500": 6.0, "iter_1000": 5.2, "iter_3500": 2.7, "iter_4000": 2.5}
    # The smallest gap, iter_500, comes back 2.4× as far as the best round trip: passed over.
    assert choose_snapshot(gaps, trips) == "iter_3500"
    assert choose_snapshot(gaps, trips, tolerance=3.0) == "iter_500"
    # Without a round trip (a translator that cannot translate back) the gap alone decides.
    assert choose_snapshot(gaps, {name: None for name in gaps}) == "iter_500"


def test_snapshot_selection_picture(tmp_path: Path) -> None:
    """The choice drawn per update, from names in any order, with or without round trips."""
    gaps = {"snapshots/iter_004000.pt": 11.3, "snapshots/iter_000500.pt": 9.2}
    for trips in ({"snapshots/iter_000500.pt": 6.0, "snapshots/iter_004000.pt": 2.5}, {}):
        path = tmp_path / f"selection{len(trips)}.png"
        plot_snapshot_selection(gaps, trips, "snapshots/iter_004000.pt", path)
        assert path.read_bytes().startswith(b"\x89PNG")


def test_perception_table_formats_what_it_is_given() -> None:
    from lbw.evaluation.perception import perception_table

    result = {
        "task": "push",
        "keypoint_probe": {
            "points": {"effector": {"error_px": 1.234, "r2": 0.9}, "block": {"error_px": 0.5, "r2": 0.99}}
        },
        "translation": {
            "munit": {"keypoint_distance_px": 5.0},
            "no_translation": {"keypoint_distance_px": 20.0},
        },
        "training_time_s": {"transporter": 360.0, "munit": 1440.0},
        "unpaired_keypoint_gap_px": {"munit": 3.04, "no_translation": 9.0},
    }
    row = perception_table([result]).splitlines()[-1]
    assert (
        row
        == "| push | 1.23 (0.90) | block 0.50 (0.99) | – | 5.0 / – / 20.0 | 3.0 / – / 9.0 | 6.0 / 24.0 / – |"
    )


def test_perception_table_marks_times_measured_on_a_gpu() -> None:
    from lbw.evaluation.perception import perception_table

    result = {
        "task": "slide",
        "keypoint_probe": {"points": {"effector": {"error_px": 1.0, "r2": 0.9}}},
        "translation": {},
        "training_time_s": {"transporter": 120.0, "munit": 600.0},
        "trained_on": {"transporter": "NVIDIA H200", "munit": "cpu"},
    }
    lines = perception_table([result]).splitlines()
    assert lines[2].endswith("| 2.0† / 10.0 / – |")
    assert lines[-1] == "† trained on a GPU (NVIDIA H200), not on this machine's CPU."


def test_appearance_summary_takes_the_worst_seed_of_each_recipe() -> None:
    from lbw.evaluation.perception import appearance_summary

    def result(label: str, default: float, held: list[float]) -> dict:
        def look(kp: float) -> dict:
            return {"munit": {"keypoint_distance_px": kp, "localisation_error_px": {"effector": kp + 0.5}}}

        looks = {"default": look(default), "training_ranges": look(2.0)}
        looks.update({f"held_{i}": look(kp) for i, kp in enumerate(held)})
        return {"task": "push", "label": label, "translation_by_look": looks}

    rows = appearance_summary(
        [result("push_prior_seed0", 1.0, [2.0, 2.4]), result("push_prior_seed1", 2.2, [1.0, 6.0])]
        + [result("push_shipped", 1.0, [1.0])]
    ).splitlines()[2:]
    # Worst over seeds per column; (c) is each training's worst held-out look, which seed 1 misses.
    assert rows[0] == "| push | push_prior | 0, 1 | 2.2 / 2.7 | 2.0 / 2.5 | 6.0 / 6.5 | 2 of 2 | 1 of 2 |"
    # A label without a seed is a recipe of one training.
    assert rows[1] == "| push | push_shipped | – | 1.0 / 1.5 | 2.0 / 2.5 | 1.0 / 1.5 | 1 of 1 | 1 of 1 |"
