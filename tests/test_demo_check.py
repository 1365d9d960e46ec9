"""``lbw check-demo``: indicators of a clip without a paired clip, and clear errors on bad clips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lbw.cli import main
from lbw.evaluation.demo_check import (
    FLAGS,
    DemoCheck,
    _warnings,
    check_demo,
    nearest_distance,
    range_threshold,
)
from lbw.keypoints import KeypointDetector, Transporter, TransporterConfig
from lbw.keypoints.trainer import TransporterTrainConfig, TransporterTrainer
from lbw.video import write_video

REPO = Path(__file__).resolve().parents[1]


def test_nearest_distance_and_threshold() -> None:
    reference = np.array([[[0.0, 0.0], [10.0, 0.0]], [[5.0, 5.0], [5.0, 5.0]]])
    query = np.array([[[0.0, 1.0], [10.0, 1.0]], [[50.0, 50.0], [50.0, 50.0]]])
    np.testing.assert_allclose(nearest_distance(query, reference), [1.0, np.hypot(45, 45)])
    rng = np.random.default_rng(0)
    robot = rng.normal(size=(200, 3, 2))
    episode = np.repeat(np.arange(10), 20)
    threshold = range_threshold(robot, episode)
    assert 0 < threshold < np.inf
    assert (nearest_distance(robot + 10.0, robot) > threshold).all()  # far off: every frame flagged


def _report(**changes) -> DemoCheck:
    fields = dict(
        frames=61,
        source_shape=(64, 64),
        out_of_range_frames=[],
        nearest_robot_px=[1.0] * 61,
        range_threshold_px=5.0,
        unpaired_gap_px=10.0,
        reference_gap_px=10.0,
        moving_frames=40,
        still_frames=20,
        pace_ratio=1.0,
        motion_ends_at_step=40,
        episode_steps=61,
    )
    return DemoCheck(**{**fields, **changes})


def _flags(**changes) -> list[str]:
    return [flag for flag, _ in _warnings(_report(**changes))]


def _messages(**changes) -> str:
    return " ".join(message for _, message in _warnings(_report(**changes)))


def test_warnings() -> None:
    assert _warnings(_report()) == []
    assert _flags(out_of_range_frames=list(range(5))) == []
    assert _flags(out_of_range_frames=list(range(30))) == ["out_of_range"]
    assert "no robot frame" in _messages(out_of_range_frames=list(range(30)))
    assert _flags(unpaired_gap_px=20.0) == ["gap"] and "unpaired gap" in _messages(unpaired_gap_px=20.0)
    assert _flags(source_shape=(480, 640)) == ["cropped"]
    assert _flags(pace_ratio=6.0) == ["fast"] and _flags(pace_ratio=0.1) == ["slow"]
    assert _flags(moving_frames=0, pace_ratio=0.0) == ["still"]
    assert _flags(frames=4, out_of_range_frames=[]) == ["few_frames"]
    assert "only 4 frames" in _messages(frames=4, out_of_range_frames=[])
    assert {flag for flag, _ in _warnings(_report(pace_ratio=0.1, source_shape=(9, 8)))} <= set(FLAGS)


def test_check_demo_on_a_tiny_detector() -> None:
    torch.manual_seed(0)
    detector = KeypointDetector(
        Transporter(TransporterConfig(num_keypoints=2, width=4, image_size=16)).eval(), torch.device("cpu")
    )
    clip = np.full((20, 16, 16, 3), 60, np.uint8)
    for t in range(20):
        clip[t, 6:10, min(t, 11) : min(t, 11) + 4] = 250  # moves, then rests
    robot = np.stack([np.roll(clip[0], s, axis=1) for s in range(12)])
    robot_keypoints = detector(robot)
    report, translated, keypoints = check_demo(
        clip, detector, None, robot_keypoints, np.arange(12) // 3, nominal_pace=1.0, episode_steps=31
    )
    assert translated is clip and keypoints.shape == (20, 2, 2)
    assert report.frames == 20 and report.moving_frames + report.still_frames == 19
    assert len(report.nearest_robot_px) == 20 and report.reference_gap_px is None
    assert 0 <= report.motion_ends_at_step <= 30


def test_bad_clips_fail_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "check"
    assert main(["check-demo", str(tmp_path / "missing.mp4"), "--task", "push", "--out", str(out)]) == 1
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("not a video")
    assert main(["check-demo", str(tmp_path / "notes.txt"), "--task", "push", "--out", str(out)]) == 1
    assert "unsupported clip type" in capsys.readouterr().err
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert main(["check-demo", str(tmp_path / "empty.mp4"), "--task", "push", "--out", str(out)]) == 1
    assert "empty" in capsys.readouterr().err
    clip = str(REPO / "videos" / "push_human.mp4")
    missing = str(tmp_path / "nope.pt")
    assert main(["check-demo", clip, "--task", "push", "--keypoints", missing, "--out", str(out)]) == 1
    assert "no such checkpoint" in capsys.readouterr().err
    assert not out.exists()  # nothing written
    (out).mkdir()
    (out / "check.json").write_text("{}")
    assert main(["check-demo", clip, "--task", "push", "--out", str(out)]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err


@pytest.mark.slow
def test_check_demo_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lbw.translation import CycleGANConfig, CycleGANTrainer, TranslatorTrainConfig

    monkeypatch.chdir(tmp_path)
    kp = TransporterTrainer(TransporterTrainConfig(model=TransporterConfig(num_keypoints=2, width=4))).save(
        tmp_path / "kp.pt"
    )
    tr = CycleGANTrainer(CycleGANConfig(width=4, num_res=1, disc_width=4), TranslatorTrainConfig()).save(
        tmp_path / "tr.pt"
    )
    wide = np.zeros((12, 64, 96, 3), np.uint8)
    wide[:, 20:40, 40:56] = 200
    clip = write_video(tmp_path / "wide.mp4", wide, fps=30)
    argv = ["check-demo", str(clip), "--task", "push", "--keypoints", str(kp), "--translator", str(tr)]
    assert main([*argv, "--out", "c", "--quiet"]) == 0
    record = json.loads((tmp_path / "c" / "check.json").read_text())
    assert record["source_shape"] == [64, 96] and record["frames"] == 12
    assert any("cropped" in w for w in record["warnings"]) and "cropped" in record["flags"]
    assert len(record["flags"]) == len(record["warnings"])
    assert (tmp_path / "c" / "check.mp4").is_file()
    assert (
        main([*argv, "--out", "c", "--quiet", "--strict", "--overwrite"]) == 1
    )  # warnings: non-square, still
