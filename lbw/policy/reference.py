"""The demonstration as a reference trajectory for the reward, aligned in time to the episode.

    pace = robot_pace("push", detector)                       # keypoint units per env step
    times = align_to_pace(z, nominal_pace=pace, length=61)    # (61,) fractional frames of the clip
    z_demo = at_times(to_unit(z, 64), times)                  # (61, K, 2) in [-1, 1]

Step t of an episode is compared with the demo at ``times[t]``. A person's clip need not keep
the scripted pace: they may stand still before starting or after finishing, move slower or
faster, pause, or film at another frame rate. ``align_to_pace`` makes the reference independent
of all of that:

* **motion, not frames, is what counts**: the keypoint speed of each frame transition (the
  trajectory lightly smoothed) marks it *moving* when above ``IDLE_FRACTION`` of the clip's
  fastest; still frames (waiting, pauses) take no episode time;
* **one pace**: the clip's *pace* is the median speed of its moving transitions; each moving
  transition takes ``pace / nominal_pace`` env steps, so the whole motion is replayed at the
  nominal pace — that of the robot itself moving at ``REFERENCE_SPEED`` of its top speed, seen
  by the same detector (``robot_pace``);
* after the motion the last frame is held to the end of the episode.

``uniform_times`` is the older alternative: the whole clip stretched uniformly onto the episode.
``PaceRule`` holds the three choices above (threshold, smoothing, statistic); its defaults are
lbw's, the others exist to be compared (``docs/studies/pace_rules.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

IDLE_FRACTION = 0.2  # a transition slower than this share of the clip's fastest is still
SMOOTHING = 3  # frames of the moving average applied before measuring speed
# The pace of the reference, as a share of the robot's top speed: the scripted demonstrations
# of push and reach move at 0.62 and 0.69 of it (robot clips, shipped detectors).
REFERENCE_SPEED = 0.65


@dataclass(frozen=True)
class PaceRule:
    """How a keypoint trajectory's motion and pace are measured (see the module docstring)."""

    idle_fraction: float = IDLE_FRACTION  # still below this share of the fastest transition
    smoothing: int = SMOOTHING  # frames of moving average before speeds are taken
    statistic: Literal["median", "mean"] = "median"  # of the moving transitions' speeds: the pace

    def of(self, speeds: np.ndarray) -> float:
        """The pace of the moving transitions' ``speeds`` (non-empty)."""
        return float(np.median(speeds) if self.statistic == "median" else np.mean(speeds))


PACE_RULE = PaceRule()


def resample(trajectory: np.ndarray, length: int) -> np.ndarray:
    """Linear resampling along axis 0: (T, ...) → (length, ...), first and last kept."""
    if len(trajectory) == 0:
        raise ValueError("cannot resample an empty trajectory")
    if length < 1:
        raise ValueError(f"length must be ≥ 1, got {length}")
    return at_times(trajectory, uniform_times(len(trajectory), length))


def uniform_times(frames: int, length: int) -> np.ndarray:
    """Source times (length,) that stretch a clip of ``frames`` frames uniformly."""
    return np.linspace(0.0, frames - 1.0, length)


def at_times(trajectory: np.ndarray, times: np.ndarray) -> np.ndarray:
    """(T, ...) linearly interpolated at fractional frame ``times`` (N,) → (N, ...) float32."""
    flat = trajectory.reshape(len(trajectory), -1).astype(np.float64)
    frames = np.arange(len(trajectory))
    out = np.stack([np.interp(times, frames, flat[:, i]) for i in range(flat.shape[1])], axis=1)
    return out.reshape(len(times), *trajectory.shape[1:]).astype(np.float32)


def frames_at_times(frames: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The nearest frame of uint8 (T, H, W, 3) at each of ``times`` (N,) → (N, H, W, 3)."""
    return frames[np.clip(np.round(times).astype(int), 0, len(frames) - 1)]


def resample_frames(frames: np.ndarray, length: int) -> np.ndarray:
    """Nearest-frame resampling of uint8 (T, H, W, 3) to ``length`` frames."""
    return frames_at_times(frames, uniform_times(len(frames), length))


def to_unit(pixels: np.ndarray, image_size: int) -> np.ndarray:
    """Pixel (u, v) in [0, image_size] → [-1, 1] image coordinates."""
    return pixels / image_size * 2.0 - 1.0


def pose_distances(keypoints: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Mean per-keypoint distance between each of (N, K, 2) poses and each of (M, K, 2) others:
    (N, M), in their units."""
    return np.linalg.norm(keypoints[:, None] - others[None], axis=-1).mean(axis=-1)


def snap_to_robot(keypoints: np.ndarray, robot_keypoints: np.ndarray, k: int = 1) -> np.ndarray:
    """Each frame's keypoints (T, K, 2) replaced by the mean of its ``k`` nearest poses
    (``pose_distances``) among (N, K, 2) keypoints of robot frames: a translated pose that no
    robot frame shows (an arm placed a few pixels off) moves onto the nearest ones the robot
    takes. Same shape, units and dtype; no paired data, no ground truth."""
    if not 1 <= k <= len(robot_keypoints):
        raise ValueError(f"k must be in [1, {len(robot_keypoints)}] (the robot poses), got {k}")
    nearest = np.argsort(pose_distances(keypoints, robot_keypoints), axis=1)[:, :k]
    return robot_keypoints[nearest].mean(axis=1).astype(keypoints.dtype)


def smooth(trajectory: np.ndarray, window: int = SMOOTHING) -> np.ndarray:
    """Centred moving average along axis 0 (edges padded with the end values), same shape."""
    if window <= 1 or len(trajectory) < 2:
        return trajectory
    flat = trajectory.reshape(len(trajectory), -1).astype(np.float64)
    padded = np.pad(flat, ((window // 2, window - 1 - window // 2), (0, 0)), mode="edge")
    kernel = np.ones(window) / window
    out = np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(flat.shape[1])], axis=1)
    return out.reshape(trajectory.shape)


def motion(trajectory: np.ndarray, rule: PaceRule = PACE_RULE) -> tuple[np.ndarray, np.ndarray]:
    """Per frame transition (T - 1,): the keypoint speed (L2 over all keypoints of the smoothed
    trajectory, its units per frame) and whether it is *moving* (see the module docstring)."""
    if len(trajectory) < 2:
        raise ValueError(f"a trajectory needs at least 2 frames to move, got {len(trajectory)}")
    moved = np.diff(smooth(trajectory, rule.smoothing), axis=0)
    speed = np.linalg.norm(moved.reshape(len(trajectory) - 1, -1), axis=1)
    top = speed.max()
    return speed, (speed > rule.idle_fraction * top) if top > 0 else np.zeros_like(speed, bool)


def pace(trajectory: np.ndarray, rule: PaceRule = PACE_RULE) -> float:
    """The pace of a trajectory: by default the median speed of its moving transitions (its
    units per frame; 0 if still)."""
    speed, moving = motion(trajectory, rule)
    return rule.of(speed[moving]) if moving.any() else 0.0


def align_to_pace(
    trajectory: np.ndarray, nominal_pace: float, length: int, rule: PaceRule = PACE_RULE
) -> np.ndarray:
    """Source times (length,), fractional frames of a demo trajectory (T, K, 2), at which each
    env step compares with it: still frames skipped, the motion at ``nominal_pace`` (the
    trajectory's units per env step), the last frame held after it. A clip without motion
    holds its first frame."""
    if not nominal_pace > 0:
        raise ValueError(f"nominal_pace must be > 0, got {nominal_pace}")
    speed, moving = motion(trajectory, rule)
    if not moving.any():
        return np.zeros(length)
    steps_per_transition = np.where(moving, rule.of(speed[moving]) / nominal_pace, 0.0)
    episode_time = np.concatenate([[0.0], np.cumsum(steps_per_transition)])
    # Each still stretch collapses onto its last frame: the frame from which motion resumes.
    last_of_stretch = np.append(np.diff(episode_time) > 0, True)
    return np.interp(
        np.arange(length, dtype=float), episode_time[last_of_stretch], np.flatnonzero(last_of_stretch)
    )


def robot_pace(
    task: str,
    detector,
    speed: float = REFERENCE_SPEED,
    episodes: int = 6,
    seed: int = 0,
    rule: PaceRule = PACE_RULE,
) -> float:
    """The keypoint pace (``pace``, detector pixels per env step) of the robot moving at
    ``speed`` of its top speed towards random waypoints in its workspace, ``episodes`` episodes.

    A calibration of the robot and the detector only: no demonstration and no task solution."""
    from lbw import envs

    env = envs.make(task, obs_mode="pixels", image_size=detector.image_size)
    rng = np.random.default_rng(seed)
    paces = []
    try:
        for episode in range(episodes):
            frame, _ = env.reset(seed=seed + episode)
            robot = env.unwrapped
            frames = [frame]
            waypoint = rng.uniform(robot.WORKSPACE_LOW, robot.WORKSPACE_HIGH)
            for _ in range(envs.MAX_EPISODE_STEPS):
                if np.linalg.norm(robot.embodiment.position() - waypoint) < 0.03:
                    waypoint = rng.uniform(robot.WORKSPACE_LOW, robot.WORKSPACE_HIGH)
                frame, *_ = env.step(robot.move_toward(waypoint, speed=speed))
                frames.append(frame)
            paces.append(pace(detector(np.stack(frames)), rule))
    finally:
        env.close()
    return float(np.median(paces))
