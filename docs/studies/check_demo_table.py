"""What ``lbw check-demo`` says of a range of clips, through one config's models: a markdown table.

    python docs/studies/check_demo_table.py --task push

The clips (demo seed 0): the shipped one, a look from the training ranges (appearance seed 3),
each held-out look, the scripted motion re-timed (``user``) and filmed wider (64×96), the demo
of another task checked as this one, and 40 frames of noise. Each is checked as ``lbw check-demo
CLIP --task T`` would (``check_clip``: the robot frames ``lbw run``'s own check uses), after a
round trip through an mp4 file (but the shipped clip, already one), as a user's clip comes:
H.264's artefacts move the translated keypoints a little, and with them the measured pace.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from task_models import task_models

from lbw.config import RunConfig
from lbw.demo import record_demo
from lbw.envs.appearance import HELD_OUT
from lbw.evaluation.demo_check import DemoCheck, check_clip
from lbw.retiming import TIMINGS, retime_demo
from lbw.video import read_video, write_video


def clips(config: RunConfig, other_task: str, folder: Path) -> dict[str, np.ndarray]:
    """Name → uint8 (T, H, W, 3) human clip: the shipped one as read, the others rendered and
    read back from an mp4 written in ``folder``."""
    task = config.task
    scripted = record_demo(task, seed=0)
    n = len(scripted.human_frames)
    rendered = {
        "a look from the training ranges (`--appearance 3`)": record_demo(task, seed=0, appearance=3),
        **{f"held out `{name}`": record_demo(task, seed=0, appearance=name) for name in HELD_OUT},
        "`--timing user`": retime_demo(scripted, TIMINGS["user"](n)),
        "`--width 96` (64×96)": retime_demo(scripted, TIMINGS["scripted"](n), width=96),
        f"the {other_task} demo, checked as {task}": record_demo(other_task, seed=0),
    }
    noise = np.random.default_rng(0).integers(0, 256, (40, 64, 64, 3), dtype=np.uint8)
    return {
        f"shipped `videos/{task}_human.mp4`": read_video(config.demo_clip),
        **{name: as_mp4(demo.human_frames, folder) for name, demo in rendered.items()},
        "random noise, 40 frames": as_mp4(noise, folder),
    }


def in_short(r: DemoCheck) -> str:
    """The check's warnings, a few words each (``r.warnings`` says them in full)."""
    share = len(r.out_of_range_frames) / r.frames
    words = {
        "few_frames": "too few frames",
        "cropped": "not square (cropped)",
        "out_of_range": f"{share:.0%} out of range",
        "gap": f"gap {r.unpaired_gap_px / (r.reference_gap_px or 1):.1f}×",
    }
    return "; ".join(words.get(flag, "pace") for flag in r.flags) or "none"


def as_mp4(frames: np.ndarray, folder: Path) -> np.ndarray:
    """``frames`` as read back from an mp4 written at the demos' 30 fps."""
    path = write_video(folder / "clip.mp4", frames, fps=30)
    return read_video(path)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", default="push")
    p.add_argument("--other-task", default="reach", help="whose demo is checked as --task's")
    args = p.parse_args()
    config, detector, translator = task_models(args.task)
    print(
        "| clip | frames | out of range | pace × robot's | motion ends at step "
        "| unpaired gap px (paired robot clip's) | warnings |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, raw in clips(config, args.other_task, Path(folder)).items():
            r, _, _ = check_clip(raw, config, detector, translator, progress=False)
            reference = "" if r.reference_gap_px is None else f" ({r.reference_gap_px:.1f})"
            print(
                f"| {name} | {r.frames} | {len(r.out_of_range_frames)} | {r.pace_ratio:.2f} | "
                f"{r.motion_ends_at_step} | {r.unpaired_gap_px:.1f}{reference} | {in_short(r)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
