"""Demonstrations: a scripted human performs the task, and the robot replays it.

    lbw demo --task push --seed 0 --out videos/

writes ``push_human.mp4`` (the clip a person would have filmed), ``push_robot.mp4`` (the
**paired** robot clip: the same object trajectory, the gripper where the hand was — ground
truth for translation that the paper never had) and ``push_demo.json`` (per-frame ground
truth: positions in m, pixel coordinates, success).

    from lbw.demo import record_demo
    demo = record_demo("push", seed=0)
    demo.human_frames.shape  # (61, 64, 64, 3): the frame at reset, then one per step
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lbw import envs
from lbw.envs.appearance import Appearance, appearance_from
from lbw.envs.base import SimState
from lbw.files import write_json
from lbw.video import write_video


class DemoError(RuntimeError):
    """A demonstration that cannot be recorded or written."""


@dataclass
class Demo:
    """One demonstration and its paired robot clip.

    Frames are uint8 (T, H, W, 3) with T = episode steps + 1; ``positions`` and ``pixels`` map
    each tracked point (effector, objects, goal) to (T, 3) metres and (T, 2) pixel (u, v)."""

    task: str
    seed: int
    image_size: int
    fps: int
    human_frames: np.ndarray
    robot_frames: np.ndarray
    positions: dict[str, np.ndarray]
    pixels: dict[str, np.ndarray]
    is_success: np.ndarray  # bool (T,)
    meta: dict[str, Any] = field(default_factory=dict)
    # The whole scene at each frame (``TabletopEnv.full_state``): what ``lbw.retiming`` renders
    # the same demonstration from at another pace. Not written by ``save``.
    states: list[SimState] = field(default_factory=list)

    def paths(self, out_dir: Path) -> dict[str, Path]:
        return {
            "human": out_dir / f"{self.task}_human.mp4",
            "robot": out_dir / f"{self.task}_robot.mp4",
            "sidecar": out_dir / f"{self.task}_demo.json",
        }

    def save(self, out_dir: str | Path, overwrite: bool = False) -> dict[str, Path]:
        """Write both clips and the sidecar; refuses to replace existing files unless told."""
        out_dir = Path(out_dir)
        paths = self.paths(out_dir)
        existing = [str(p) for p in paths.values() if p.exists()]
        if existing and not overwrite:
            raise DemoError(f"refusing to overwrite {', '.join(existing)} (pass --overwrite)")
        write_video(paths["human"], self.human_frames, self.fps)
        write_video(paths["robot"], self.robot_frames, self.fps)
        sidecar = {
            "task": self.task,
            "seed": self.seed,
            "image_size": self.image_size,
            "fps": self.fps,
            "num_frames": int(len(self.human_frames)),
            "success": bool(self.is_success[-1]),
            "human_clip": paths["human"].name,
            "robot_clip": paths["robot"].name,
            "is_success": self.is_success.tolist(),
            "positions_m": {k: np.round(v, 5).tolist() for k, v in self.positions.items()},
            "pixels_uv": {k: np.round(v, 3).tolist() for k, v in self.pixels.items()},
            **self.meta,
        }
        write_json(paths["sidecar"], sidecar)
        return paths


def record_demo(
    task: str,
    seed: int = 0,
    image_size: int = 64,
    require_success: bool = True,
    appearance: Appearance | str | int | None = None,
) -> Demo:
    """Run the scripted human demonstrator for one episode and replay it with the robot.

    The robot clip is a kinematic replay: at every frame the objects are put where they were in
    the human clip and the gripper where the hand was, so the two clips differ only in
    embodiment and scene style. ``appearance``: the demonstrator's look (``lbw.envs.appearance``;
    None: the shipped clips')."""
    look = appearance_from(appearance)
    human = envs.make(
        task, embodiment="human", image_size=image_size, render_mode="rgb_array", appearance=look
    )
    robot = envs.make(task, embodiment="robot", image_size=image_size, render_mode="rgb_array")
    try:
        _, info = human.reset(seed=seed)
        frames, states, infos = [human.render()], [human.unwrapped.full_state()], [info]
        done = False
        while not done:
            _, _, terminated, truncated, info = human.step(human.unwrapped.scripted_action())
            frames.append(human.render())
            states.append(human.unwrapped.full_state())
            infos.append(info)
            done = terminated or truncated
        robot.reset(seed=seed)
        robot_frames = []
        for state in states:
            robot.unwrapped.set_full_state(state)
            robot_frames.append(robot.render())
        fps = human.metadata["render_fps"]
    finally:
        human.close()
        robot.close()
    if require_success and not infos[-1]["is_success"]:
        raise DemoError(f"the scripted human demonstrator failed {task} on seed {seed}; try another seed")
    names = list(infos[0]["positions"])
    return Demo(
        task=task,
        seed=seed,
        image_size=image_size,
        fps=fps,
        human_frames=np.stack(frames),
        robot_frames=np.stack(robot_frames),
        positions={n: np.stack([i["positions"][n] for i in infos]) for n in names},
        pixels={n: np.stack([i["pixels"][n] for i in infos]) for n in names},
        is_success=np.array([i["is_success"] for i in infos]),
        meta={
            "command": f"lbw demo --task {task} --seed {seed} --image-size {image_size}"
            + (f" --appearance {appearance}" if isinstance(appearance, (str, int)) else ""),
            "appearance": look.to_dict(),
        },
        states=states,
    )
