"""Learn from your own clip: check a video of a person doing the task, see what lbw makes of
it (translated frames with their keypoints), then learn from it with the shipped reach models.

    python examples/your_own_clip.py my_reach.mp4              # mp4, gif or a folder of frames
    python examples/your_own_clip.py my_reach.mp4 --budget tiny

The clip is cropped to its centre square and resized to the models' 64 × 64 frames; any pace
works (still frames are skipped, the motion replayed at the robot's pace). The checks warn when
the translation loses the arm or the clip shows another task (lbw check-demo).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from budgets import TINY_POLICY

from lbw import (
    KeypointDetector,
    Translator,
    load_config,
    read_video,
    run_pipeline,
    shipped_config,
    write_video,
)
from lbw.drawing import draw_keypoints


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--budget", choices=("full", "tiny"), default="full")
    parser.add_argument("--root", default="runs", help="where runs go (default: runs)")
    args = parser.parse_args(argv)
    config = load_config(
        shipped_config("quickstart"),
        [
            f"demo={args.clip}",
            "name=own_clip",
            f"root={args.root}",
            *(TINY_POLICY if args.budget == "tiny" else []),
        ],
    )

    # What the reward will see: the clip in the robot domain, with its keypoints.
    detector = KeypointDetector.load(config.keypoints.checkpoint)
    translated = Translator.load(config.translator.checkpoint)(
        read_video(args.clip, size=detector.image_size)
    )
    preview = config.run_dir.parent / "own_clip_preview.mp4"
    write_video(preview, draw_keypoints(translated, detector(translated), scale=4), fps=30)
    print(f"what lbw sees: {preview}")

    metrics = run_pipeline(config, resume=(config.run_dir / "config.yaml").exists())
    print(f"success rate {metrics['success_rate']:.2f}; videos: {', '.join(metrics['videos'])}")
    return metrics


if __name__ == "__main__":
    main()
