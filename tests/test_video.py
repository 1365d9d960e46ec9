"""The one video I/O module: round trips and every bad-input case names the file."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from lbw.video import VideoError, read_video, to_rgb, write_video


@pytest.fixture
def clip() -> np.ndarray:
    """A moving white square on grey: (20, 32, 32, 3) uint8."""
    frames = np.full((20, 32, 32, 3), 90, np.uint8)
    for t in range(20):
        frames[t, 8:16, t : t + 8] = 250
    return frames


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_round_trip(tmp_path: Path, clip: np.ndarray, suffix: str) -> None:
    path = write_video(tmp_path / f"clip{suffix}", clip, fps=10)
    back = read_video(path)
    assert back.shape == clip.shape and back.dtype == np.uint8
    assert np.abs(back.astype(int) - clip).mean() < 3.0
    assert not list(tmp_path.glob(".*partial*"))  # the atomic write left nothing behind


def test_folder_of_images_grayscale_and_alpha(tmp_path: Path, clip: np.ndarray) -> None:
    gray = clip[..., 0]
    for t, frame in enumerate(gray):
        iio.imwrite(tmp_path / f"{t:03d}.png", frame)
    back = read_video(tmp_path)
    assert back.shape == clip.shape
    np.testing.assert_array_equal(back[..., 0], back[..., 2])  # gray expanded to RGB
    rgba = np.concatenate([clip[0], np.full((32, 32, 1), 255, np.uint8)], axis=-1)
    np.testing.assert_array_equal(to_rgb(rgba), clip[0])


def test_resize(tmp_path: Path, clip: np.ndarray) -> None:
    path = write_video(tmp_path / "clip.mp4", clip, fps=10)
    assert read_video(path, size=16).shape == (20, 16, 16, 3)
    assert read_video(path, size=48).shape == (20, 48, 48, 3)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="nope.mp4: no such file"):
        read_video(tmp_path / "nope.mp4")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(VideoError, match="empty.mp4: the file is empty"):
        read_video(tmp_path / "empty.mp4")


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_unreadable_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(b"definitely not a video " * 20)
    with pytest.raises(VideoError, match=f"garbage{suffix}: unreadable"):
        read_video(path)


@pytest.mark.parametrize("fraction", [0.3, 0.7])
def test_truncated_mp4(tmp_path: Path, fraction: float) -> None:
    frames = np.random.default_rng(0).integers(0, 255, (60, 32, 32, 3), dtype=np.uint8)
    whole = write_video(tmp_path / "whole.mp4", frames, fps=30).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: int(len(whole) * fraction)])
    with pytest.raises(VideoError, match="cut.mp4: .*truncated"):
        read_video(cut)


def test_truncated_gif(tmp_path: Path, clip: np.ndarray) -> None:
    whole = write_video(tmp_path / "whole.gif", clip, fps=10).read_bytes()
    cut = tmp_path / "cut.gif"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(VideoError, match="cut.gif"):
        read_video(cut)


def test_empty_folder_and_mixed_sizes(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="holds no"):
        read_video(tmp_path)
    iio.imwrite(tmp_path / "a.png", np.zeros((8, 8, 3), np.uint8))
    iio.imwrite(tmp_path / "b.png", np.zeros((9, 8, 3), np.uint8))
    with pytest.raises(VideoError, match="differ in size"):
        read_video(tmp_path)


def test_unreadable_image_in_folder(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"not a png")
    with pytest.raises(VideoError, match="a.png: unreadable image"):
        read_video(tmp_path)


def test_unsupported_type_and_wrong_shape(tmp_path: Path) -> None:
    (tmp_path / "clip.txt").write_text("hi")
    with pytest.raises(VideoError, match="unsupported clip type"):
        read_video(tmp_path / "clip.txt")
    with pytest.raises(VideoError, match="shape"):
        to_rgb(np.zeros((4, 4, 2), np.uint8))


def test_write_errors(tmp_path: Path, clip: np.ndarray) -> None:
    with pytest.raises(VideoError, match="no frames"):
        write_video(tmp_path / "none.mp4", [], fps=10)
    with pytest.raises(VideoError, match="can write"):
        write_video(tmp_path / "clip.avi", clip, fps=10)
