"""Will this clip teach the task? Indicators that need no paired clip, before an hour of training.

    lbw check-demo my_push.mp4 --task push     # → my_push_check/check.json and check.mp4

    from lbw.evaluation.demo_check import check_demo
    report = check_demo(frames, detector, translator, robot_keypoints, nominal_pace=2.9)
    report.warnings   # [] when the clip looks in range; report.flags: their codes (FLAGS)

The clip is translated into the robot domain and its keypoints extracted, as ``lbw run`` does.
Then, without any ground truth:

* **Keypoints in range.** A robot frame's K keypoints are a point in 2K dimensions; for each
  translated frame, the distance (mean px per keypoint) to the nearest robot frame's keypoints
  (held-out robot frames of randomised motion). A translation that erases the arm or gripper
  sends keypoints where no robot frame has them. The threshold is the 99th percentile of the
  same distance between robot frames of different episodes; frames above it are *out of range*.
* **Unpaired keypoint gap** of the clip: the Fréchet distance (px) of its keypoints to the
  robot frames' (``frechet_distance``), against the same for the task's paired robot clip
  (``videos/TASK_robot.mp4``: a perfect translation of the shipped demo). A clip whose gap is
  more than ``GAP_WARN`` times that one's is flagged: a translation that erased the arm (its
  keypoints then fall on places robot frames also show) or a clip of another task.
* **Timing.** What the pace alignment (``align_to_pace``) makes of the clip: the frames in
  motion, still frames skipped, its pace relative to the robot's, and the episode step at which
  the motion ends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lbw.keypoints.gap import frechet_distance
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.reference import align_to_pace, motion, pace, pose_distances
from lbw.translation.base import Translator

if TYPE_CHECKING:
    from lbw.config import RunConfig

OUT_OF_RANGE_WARN = 0.2  # share of out-of-range frames above which the clip is flagged
GAP_WARN = 1.5  # unpaired gap / the paired robot clip's above which the clip is flagged
PACE_RANGE = (0.25, 4.0)  # clip pace / robot pace outside which the timing is flagged
MIN_FRAMES = 10
# What each warning's code (``DemoCheck.flags``) means, for scripts that act on a check.
FLAGS = {
    "few_frames": f"fewer than {MIN_FRAMES} frames",
    "cropped": "not square: the centre square is used",
    "out_of_range": f"over {OUT_OF_RANGE_WARN:.0%} of the frames have keypoints no robot frame has",
    "gap": f"the unpaired keypoint gap is over {GAP_WARN}× the paired robot clip's",
    "still": "the keypoints never move",
    "slow": f"the keypoints move under {PACE_RANGE[0]}× the robot's pace",
    "fast": f"the keypoints move over {PACE_RANGE[1]}× the robot's pace",
}


@dataclass
class DemoCheck:
    """The indicators of one clip (see the module docstring); distances in detector pixels."""

    frames: int
    source_shape: tuple[int, int]  # (H, W) of the clip as read, before the centre crop
    out_of_range_frames: list[int]
    nearest_robot_px: list[float]  # per frame
    range_threshold_px: float
    unpaired_gap_px: float
    reference_gap_px: float | None  # the task's paired robot clip's unpaired gap (None: no such clip)
    moving_frames: int
    still_frames: int
    pace_ratio: float  # the clip's pace / the robot's (1: the robot's own pace)
    motion_ends_at_step: int  # the episode step whose reference is the clip's last moving frame
    episode_steps: int
    warnings: list[str] = field(default_factory=list)  # each said in full, for a person
    flags: list[str] = field(default_factory=list)  # the same warnings' codes (``FLAGS``), in order

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def nearest_distance(keypoints: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """For each of (N, K, 2) keypoints, the mean per-keypoint distance (px) to the nearest of
    (M, K, 2) reference keypoints: (N,)."""
    return pose_distances(keypoints, reference).min(axis=1)


def range_threshold(robot_keypoints: np.ndarray, episode: np.ndarray) -> float:
    """The 99th percentile of ``nearest_distance`` from each robot frame to the frames of the
    *other* half of the episodes (of the other half of the frames, for a single episode): how
    far a frame of the robot domain itself may lie."""
    if len(np.unique(episode)) > 1:
        second_half = episode > np.median(np.unique(episode))
    else:
        second_half = np.arange(len(episode)) >= len(episode) // 2
    first, second = robot_keypoints[~second_half], robot_keypoints[second_half]
    return float(
        np.percentile(np.concatenate([nearest_distance(first, second), nearest_distance(second, first)]), 99)
    )


def check_demo(
    clip: np.ndarray,
    detector: KeypointDetector,
    translator: Translator | None,
    robot_keypoints: np.ndarray,
    robot_episode: np.ndarray,
    nominal_pace: float,
    episode_steps: int,
    source_shape: tuple[int, int] | None = None,
    reference_clip: np.ndarray | None = None,
) -> tuple[DemoCheck, np.ndarray, np.ndarray]:
    """Indicators of ``clip`` uint8 (T, S, S, 3) (already read and cropped); returns them, the
    translated frames and their keypoints (T, K, 2) px, for the overlay video.
    ``reference_clip``: robot-domain frames of the task known to work (its paired robot clip)."""
    translated = translator(clip) if translator is not None else clip
    keypoints = detector(translated)
    nearest = nearest_distance(keypoints, robot_keypoints)
    threshold = range_threshold(robot_keypoints, robot_episode)
    out = np.flatnonzero(nearest > threshold)
    _, moving = motion(keypoints)
    times = align_to_pace(keypoints, nominal_pace, episode_steps)
    last_moving = int(np.flatnonzero(moving)[-1] + 1) if moving.any() else 0
    ends = int(np.searchsorted(times, last_moving - 1e-6)) if moving.any() else 0
    report = DemoCheck(
        frames=len(clip),
        source_shape=tuple(source_shape or clip.shape[1:3]),
        out_of_range_frames=out.tolist(),
        nearest_robot_px=np.round(nearest, 2).tolist(),
        range_threshold_px=round(threshold, 2),
        unpaired_gap_px=round(clip_gap(keypoints, robot_keypoints), 2),
        reference_gap_px=None
        if reference_clip is None
        else round(clip_gap(detector(reference_clip), robot_keypoints), 2),
        moving_frames=int(moving.sum()),
        still_frames=int((~moving).sum()),
        pace_ratio=round(pace(keypoints) / nominal_pace, 3),
        motion_ends_at_step=min(ends, episode_steps - 1),
        episode_steps=episode_steps,
    )
    found = _warnings(report)
    report.flags = [flag for flag, _ in found]
    report.warnings = [message for _, message in found]
    return report, translated, keypoints


def check_clip(
    raw: np.ndarray,
    config: RunConfig,
    detector: KeypointDetector,
    translator: Translator | None,
    progress: bool = True,
) -> tuple[DemoCheck, np.ndarray, np.ndarray]:
    """``check_demo`` for a clip as read (uint8 (T, H, W, 3), any H, W) of ``config``'s task,
    against the robot frames that choose among its trained models (``selection_frames``: the
    same for ``lbw run`` and ``lbw check-demo``) and its paired robot clip (skipped where it
    does not exist). Returns the check, the translated frames and their keypoints."""
    from lbw import envs
    from lbw.policy.reference import robot_pace
    from lbw.stages import robot_pose_keypoints, selection_frames
    from lbw.video import read_video, resize

    robot = selection_frames(config, "robot", progress)
    paired = config.robot_demo_clip
    reference = read_video(paired, size=detector.image_size) if paired.exists() else None
    return check_demo(
        resize(raw, detector.image_size),
        detector,
        translator,
        robot_pose_keypoints(config, detector, progress, robot_frames=robot),
        robot.episode,
        robot_pace(config.task, detector),
        envs.MAX_EPISODE_STEPS + 1,
        source_shape=raw.shape[1:3],
        reference_clip=reference,
    )


def clip_gap(keypoints: np.ndarray, robot_keypoints: np.ndarray) -> float:
    """A clip's unpaired keypoint gap (px): the Fréchet distance of its (T, K, 2) keypoints to
    (N, K, 2) robot frames' keypoints, each frame a point in 2K dimensions."""
    return frechet_distance(
        keypoints.reshape(len(keypoints), -1), robot_keypoints.reshape(len(robot_keypoints), -1)
    )


def gap_flagged(gap_px: float, reference_gap_px: float | None) -> bool:
    """Whether a clip's unpaired keypoint gap flags its translation (the ``gap`` warning: over
    ``GAP_WARN`` times the paired robot clip's); never without that reference."""
    return reference_gap_px is not None and gap_px > GAP_WARN * reference_gap_px


def _warnings(r: DemoCheck) -> list[tuple[str, str]]:
    """(flag, message) per warning the indicators of ``r`` raise."""
    warnings = []
    if r.frames < MIN_FRAMES:
        warnings.append(
            ("few_frames", f"only {r.frames} frames: a demonstration should show the whole motion")
        )
    height, width = r.source_shape
    if height != width:
        warnings.append(
            ("cropped", f"frames are {height}×{width}: the centre square is used (cropped, not squashed)")
        )
    share = len(r.out_of_range_frames) / r.frames
    if share > OUT_OF_RANGE_WARN:
        warnings.append(
            (
                "out_of_range",
                f"{len(r.out_of_range_frames)} of {r.frames} translated frames ({share:.0%}) have keypoints "
                f"no robot frame has (> {r.range_threshold_px:.1f} px from the nearest): the translation may "
                "have lost the arm or gripper, or the clip shows another scene or task",
            )
        )
    if gap_flagged(r.unpaired_gap_px, r.reference_gap_px):
        warnings.append(
            (
                "gap",
                f"the clip's keypoints are {r.unpaired_gap_px:.1f} px (unpaired gap) from the robot's, "
                f"{r.unpaired_gap_px / r.reference_gap_px:.1f}× the paired robot clip's "
                f"{r.reference_gap_px:.1f}: "
                "the translation may have lost the arm or gripper, or the clip shows another task",
            )
        )
    if r.moving_frames == 0:
        warnings.append(("still", "no motion found: the clip's keypoints never move"))
    elif r.pace_ratio < PACE_RANGE[0]:
        warnings.append(
            (
                "slow",
                f"the clip's keypoints move at {r.pace_ratio:.2f}× the robot's pace "
                f"(below {PACE_RANGE[0]}×): they barely follow the motion, as when a translation draws "
                "nearly the same frame throughout",
            )
        )
    elif r.pace_ratio > PACE_RANGE[1]:
        warnings.append(
            (
                "fast",
                f"the clip's keypoints move at {r.pace_ratio:.2f}× the robot's pace "
                f"(above {PACE_RANGE[1]}×): they jitter or jump",
            )
        )
    return warnings
