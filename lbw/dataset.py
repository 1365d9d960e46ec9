"""Unpaired frame datasets for training the translator and the keypoint detector.

    lbw collect --task push --domain robot --frames 5000 --out data/push_robot.npz

    from lbw.dataset import load_frames
    data = load_frames("data/push_robot.npz")
    data.frames.shape  # (5000, 64, 64, 3) uint8; data.episode, data.step: (5000,) int32

Frames come from episodes of randomised motion of one embodiment: half the episodes follow the
scripted demonstrator with heavy action noise, half chase random waypoints, many of them at an
object's height, so that the objects move too and not only the arm. With ``quiet_demos`` a share
of the episodes is the demonstrator with light noise instead, which reaches the task's goal
states (a puck come to rest on its goal) that heavy noise seldom does. Human episodes each show a
new demonstrator and room drawn from ``lbw.envs.appearance.TRAINING_RANGES`` (``appearance="varied"``,
the default; the wider sets of ``lbw.envs.appearance.VARIED`` by name), or one fixed look
(``"default"``, a preset name or a seed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from lbw import envs
from lbw.envs.appearance import VARIED, appearance_from, sample_appearance
from lbw.envs.base import TabletopEnv
from lbw.files import atomic_write

FORMAT_VERSION = 1
_KEYS = ("frames", "episode", "step", "pixels", "meta")


class DatasetError(ValueError):
    """A frame dataset that is missing, unreadable or inconsistent."""


@dataclass
class FrameDataset:
    """Frames of one task and domain with their ground truth.

    frames: uint8 (N, H, W, 3). episode, step: int32 (N,) — which episode a frame belongs to
    and its index in it (frames of one episode are consecutive). pixels: float32 (N, P, 2) —
    the (u, v) pixel coordinates of the ``point_names`` points (effector first)."""

    frames: np.ndarray
    episode: np.ndarray
    step: np.ndarray
    pixels: np.ndarray
    point_names: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frames)

    def validate(self, source: str = "<dataset>") -> FrameDataset:
        f = self.frames
        if f.ndim != 4 or f.shape[-1] != 3 or f.dtype != np.uint8:
            raise DatasetError(f"{source}: frames must be uint8 (N, H, W, 3), got {f.dtype} {f.shape}")
        n = len(f)
        if n == 0:
            raise DatasetError(f"{source}: the dataset holds no frames")
        for name in ("episode", "step"):
            array = getattr(self, name)
            if array.shape != (n,):
                raise DatasetError(f"{source}: {name} has shape {array.shape}, expected ({n},)")
        if self.pixels.shape != (n, len(self.point_names), 2):
            raise DatasetError(
                f"{source}: pixels has shape {self.pixels.shape}, expected ({n}, {len(self.point_names)}, 2)"
            )
        return self

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write a compressed ``.npz`` atomically; refuses to replace a file unless told."""
        path = Path(path)
        if path.suffix != ".npz":
            raise DatasetError(f"{path}: a dataset file must end in .npz")
        if path.exists() and not overwrite:
            raise DatasetError(f"refusing to overwrite {path} (pass --overwrite)")
        self.validate(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "point_names": self.point_names, "format_version": FORMAT_VERSION}
        with atomic_write(path) as partial:
            np.savez_compressed(
                partial,
                frames=self.frames,
                episode=self.episode,
                step=self.step,
                pixels=self.pixels,
                meta=np.array(json.dumps(meta)),
            )
        return path


def load_frames(path: str | os.PathLike) -> FrameDataset:
    """Load and validate a dataset written by ``FrameDataset.save`` / ``lbw collect``."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in _KEYS if k not in archive.files]
            if missing:
                raise DatasetError(f"{path}: not an lbw frame dataset (missing {', '.join(missing)})")
            arrays = {k: archive[k] for k in _KEYS}
        meta = json.loads(str(arrays["meta"]))
    except DatasetError:
        raise
    except Exception as error:
        raise DatasetError(f"{path}: unreadable dataset ({error})") from error
    if meta.get("format_version") != FORMAT_VERSION:
        raise DatasetError(f"{path}: format version {meta.get('format_version')}, expected {FORMAT_VERSION}")
    point_names = list(meta.pop("point_names", []))
    return FrameDataset(
        arrays["frames"], arrays["episode"], arrays["step"], arrays["pixels"], point_names, meta
    ).validate(str(path))


def random_motion_policy(
    env: TabletopEnv, rng: np.random.Generator, quiet_demos: float = 0.0
) -> Callable[[], np.ndarray]:
    """A per-episode exploration policy: the demonstrator with light noise (σ 0–0.1, a share
    ``quiet_demos`` of episodes), the demonstrator with heavy noise, or random waypoints."""
    # drawn only when asked for, so that quiet_demos=0 keeps the datasets made before it existed
    if quiet_demos > 0 and rng.random() < quiet_demos:
        return _noisy_demonstrator(env, rng, rng.uniform(0.0, 0.1))
    if rng.random() < 0.5:
        return _noisy_demonstrator(env, rng, rng.uniform(0.2, 0.8))

    waypoint = np.zeros(3)

    def new_waypoint() -> np.ndarray:
        if rng.random() < 0.6:  # at an object, low: brushes or pushes it
            points = list(env.task_points().values())
            point = points[rng.integers(len(points))]
            xy = point[:2] + rng.normal(0.0, 0.04, size=2)
            return np.array([*xy, rng.uniform(0.04, 0.07)])
        return rng.uniform(env.WORKSPACE_LOW, env.WORKSPACE_HIGH)

    def waypoints() -> np.ndarray:
        nonlocal waypoint
        if not waypoint.any() or np.linalg.norm(env.embodiment.position() - waypoint) < 0.02:
            waypoint = new_waypoint()
        return env.move_toward(waypoint, speed=rng.uniform(0.4, 1.0))

    return waypoints


def _noisy_demonstrator(env: TabletopEnv, rng: np.random.Generator, noise: float) -> Callable[[], np.ndarray]:
    """The scripted demonstrator's actions with Gaussian noise of σ ``noise`` (actions in [-1, 1])."""

    def act() -> np.ndarray:
        return np.clip(env.scripted_action() + rng.normal(0.0, noise, size=3), -1.0, 1.0)

    return act


def collect_frames(
    task: str,
    domain: str,
    num_frames: int,
    seed: int = 0,
    image_size: int = 64,
    progress: bool = True,
    appearance: str | int | None = "varied",
    quiet_demos: float = 0.0,
    starts: str = "default",
) -> FrameDataset:
    """Render ``num_frames`` frames of randomised motion of the ``domain`` embodiment.

    ``appearance`` (human only; the robot has one look): ``"varied"`` draws a new look per
    episode from the training ranges (another name of ``lbw.envs.appearance.VARIED``: from those
    wider ones), anything else names one look (``lbw.envs.appearance``).
    ``quiet_demos``: the share of episodes the demonstrator acts with light noise in
    (``random_motion_policy``). ``starts``: the episodes' initial-state spread (``TabletopEnv.STARTS``)."""
    if num_frames < 1:
        raise ValueError(f"num_frames must be positive, got {num_frames}")
    if not 0.0 <= quiet_demos <= 1.0:
        raise ValueError(f"quiet_demos is a share of episodes in [0, 1], got {quiet_demos}")
    varied = domain == "human" and appearance in VARIED
    fixed = None if domain != "human" or varied else appearance_from(appearance)  # checked first
    env = envs.make(task, embodiment=domain, image_size=image_size, obs_mode="pixels", starts=starts)
    rng = np.random.default_rng(seed)
    # Its own stream: the motions and initial states do not depend on the looks drawn.
    looks = np.random.default_rng([seed, 1])
    frames, episode, step, pixels = [], [], [], []
    names: list[str] = []
    bar = tqdm(total=num_frames, desc=f"collect {task}/{domain}", unit="frame", disable=not progress)
    try:
        index = 0
        while len(frames) < num_frames:
            options = (
                {"appearance": sample_appearance(looks, VARIED[appearance]) if varied else fixed}
                if domain == "human"
                else None
            )
            obs, info = env.reset(seed=int(rng.integers(2**31)), options=options)
            names = list(info["pixels"])
            policy = random_motion_policy(env.unwrapped, rng, quiet_demos)
            t, done = 0, False
            while not done and len(frames) < num_frames:
                frames.append(obs)
                episode.append(index)
                step.append(t)
                pixels.append(np.stack([info["pixels"][n] for n in names]))
                bar.update(1)
                obs, _, terminated, truncated, info = env.step(policy())
                done, t = terminated or truncated, t + 1
            index += 1
    finally:
        bar.close()
        env.close()
    meta = {
        "task": task,
        "domain": domain,
        "seed": seed,
        "image_size": image_size,
        "num_frames": num_frames,
        "num_episodes": index,
        "appearance": str(appearance) if domain == "human" else None,
        "quiet_demos": quiet_demos,
        "starts": starts,
    }
    return FrameDataset(
        np.stack(frames),
        np.asarray(episode, np.int32),
        np.asarray(step, np.int32),
        np.asarray(pixels, np.float32),
        names,
        meta,
    ).validate()
