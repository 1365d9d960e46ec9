"""Video I/O used everywhere in lbw: one reader for mp4 / gif / folders of images, one writer.

    from lbw.video import read_video, write_video

    frames = read_video("videos/push_human.mp4", size=64)  # uint8 (T, 64, 64, 3)
    write_video("out.mp4", frames, fps=30)

Every frame comes out RGB uint8 (grayscale is expanded, alpha dropped), optionally cropped to
its centre square and resized to a square model size. A missing, unreadable, empty or truncated
clip raises ``VideoError``, whose message names the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import imageio.v3 as iio
import numpy as np

from lbw.files import atomic_write

VIDEO_SUFFIXES = (".mp4", ".gif", ".avi", ".mov", ".webm", ".mkv")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
WRITE_SUFFIXES = (".mp4", ".gif")


class VideoError(ValueError):
    """A clip that cannot be used: missing, unreadable, empty, truncated or malformed."""


def to_rgb(frame: np.ndarray, source: Path | str = "<array>") -> np.ndarray:
    """One frame as uint8 (H, W, 3): grayscale (H, W) or (H, W, 1) is expanded, alpha dropped."""
    frame = np.asarray(frame)
    if frame.ndim == 2:
        frame = frame[..., None]
    if frame.ndim != 3 or frame.shape[-1] not in (1, 3, 4):
        raise VideoError(f"{source}: a frame has shape {frame.shape}; expected (H, W[, 1|3|4])")
    if frame.dtype != np.uint8:
        if np.issubdtype(frame.dtype, np.floating) and frame.size and frame.max() <= 1.0:
            frame = frame * 255.0
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.shape[-1] == 1:
        frame = np.repeat(frame, 3, axis=-1)
    return np.ascontiguousarray(frame[..., :3])


def center_square(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) → (T, S, S, 3), S = min(H, W): the centre square (a wide or tall clip is
    cropped, not squashed, so that shapes and distances keep their proportions)."""
    height, width = frames.shape[1:3]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return frames[:, top : top + side, left : left + side]


def resize(frames: np.ndarray, size: int) -> np.ndarray:
    """(T, H, W, 3) uint8 → (T, size, size, 3): the centre square, resized (area interpolation
    when shrinking)."""
    frames = center_square(frames)
    if frames.shape[1:3] == (size, size):
        return frames
    shrinking = size < min(frames.shape[1:3])
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return np.stack([cv2.resize(f, (size, size), interpolation=interpolation) for f in frames])


def _brief(error: Exception) -> str:
    """The last line of an error's message: ffmpeg's own is its whole banner."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return (lines[-1] if lines else type(error).__name__)[:200]


def read_video(path: str | os.PathLike, size: int | None = None) -> np.ndarray:
    """Read a clip — an mp4 (or other ffmpeg format), a gif, or a folder of images read in
    name order — as uint8 (T, H, W, 3); when ``size`` is given, the centre square of each
    frame resized to (size, size)."""
    path = Path(path)
    if not path.exists():
        raise VideoError(f"{path}: no such file or folder")
    if path.is_dir():
        frames = _read_folder(path)
    elif path.suffix.lower() in VIDEO_SUFFIXES:
        frames = _read_clip(path)
    else:
        raise VideoError(
            f"{path}: unsupported clip type {path.suffix!r}; use one of "
            f"{', '.join(VIDEO_SUFFIXES)} or a folder of {', '.join(IMAGE_SUFFIXES)} images"
        )
    if not frames:
        raise VideoError(f"{path}: the clip has no frames")
    shapes = {f.shape for f in frames}
    if len(shapes) > 1:
        raise VideoError(f"{path}: frames differ in size: {sorted(shapes)}")
    video = np.stack(frames)
    if size is not None:
        if size < 1:
            raise ValueError(f"size must be positive, got {size}")
        video = resize(video, size)
    return video


def _read_folder(path: Path) -> list[np.ndarray]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise VideoError(f"{path}: the folder holds no {'/'.join(IMAGE_SUFFIXES)} images")
    frames = []
    for file in files:
        try:
            frames.append(to_rgb(iio.imread(file, plugin="pillow"), file))
        except VideoError:
            raise
        except Exception as error:  # imageio raises many kinds: name the file, keep the cause
            raise VideoError(f"{file}: unreadable image ({_brief(error)})") from error
    return frames


def _read_clip(path: Path) -> list[np.ndarray]:
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: the file is empty")
    try:
        plugin = "pillow" if path.suffix.lower() == ".gif" else "FFMPEG"
        frames = [to_rgb(f, path) for f in iio.imiter(path, plugin=plugin)]
    except VideoError:
        raise
    except Exception as error:
        raise VideoError(f"{path}: unreadable or truncated clip ({_brief(error)})") from error
    expected = _expected_frames(path)
    if expected is not None and len(frames) < expected - 1:  # ffmpeg's count may be off by one
        raise VideoError(
            f"{path}: truncated clip: decoded {len(frames)} of the {expected} frames its header announces"
        )
    return frames


def _expected_frames(path: Path) -> int | None:
    """The frame count the container announces, where it announces one."""
    if path.suffix.lower() == ".gif":
        return None
    try:
        meta = iio.immeta(path, plugin="FFMPEG")
    except Exception:
        return None
    duration, fps = meta.get("duration"), meta.get("fps")
    if not duration or not fps or not np.isfinite(duration * fps):
        return None
    return int(round(duration * fps))


def write_video(path: str | os.PathLike, frames: Sequence[np.ndarray] | np.ndarray, fps: float) -> Path:
    """Write uint8 frames (T, H, W, 3) as an mp4 (H.264) or a gif, atomically: the file
    appears complete or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise VideoError(f"{path}: can write {', '.join(WRITE_SUFFIXES)} only")
    video = np.stack([to_rgb(f) for f in frames]) if len(frames) else np.empty((0,))
    if video.shape[0] == 0:
        raise VideoError(f"{path}: no frames to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as partial:
        if suffix == ".mp4":
            # Near-lossless H.264: these clips are ground truth for later stages; 64 px frames
            # stay a few tens of kB anyway.
            iio.imwrite(
                partial,
                video,
                plugin="FFMPEG",
                fps=fps,
                codec="libx264",
                macro_block_size=1,
                pixelformat="yuv444p",
                output_params=["-crf", "12", "-movflags", "+faststart"],
            )
        else:
            iio.imwrite(partial, video, plugin="pillow", duration=1000.0 / fps, loop=0)
    return path
