"""Pictures for people: the task grid and a side-by-side demo clip, rendered by the package.

    lbw gallery --out docs/

writes ``docs/tasks.png`` (rows: tasks; columns: the human demo at its start, middle and end,
then the paired robot clip at the same moments) and ``docs/push_pair.gif`` (human | robot).
"""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np

from lbw import envs
from lbw.demo import record_demo
from lbw.drawing import label_strip
from lbw.video import write_video


def task_grid(image_size: int = 128, seed: int = 0) -> np.ndarray:
    """uint8 (rows, cols, 3): one row per task, human and robot frames at three moments."""
    rows = []
    for task in envs.TASKS:
        demo = record_demo(task, seed=seed, image_size=image_size)
        moments = [0, len(demo.human_frames) // 3, len(demo.human_frames) - 1]
        cells = [demo.human_frames[t] for t in moments] + [demo.robot_frames[t] for t in moments]
        row = np.concatenate(cells, axis=1)
        rows.append(np.concatenate([label_strip(task, row.shape[1]), row], axis=0))
    grid = np.concatenate(rows, axis=0)
    header = label_strip(
        "human demo: start | 1/3 | end          paired robot clip: start | 1/3 | end", grid.shape[1]
    )
    return np.concatenate([header, grid], axis=0)


def write_gallery(out_dir: str | Path, image_size: int = 128, seed: int = 0) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    grid_path = out_dir / "tasks.png"
    iio.imwrite(grid_path, task_grid(image_size, seed))
    demo = record_demo("push", seed=seed, image_size=image_size)
    pair = np.concatenate([demo.human_frames, demo.robot_frames], axis=2)
    pair_path = write_video(out_dir / "push_pair.gif", pair[::2], fps=demo.fps / 2)
    return [grid_path, pair_path]
