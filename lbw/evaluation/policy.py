"""Evaluate a trained run on ground truth and record side-by-side videos.

    lbw evaluate runs/push/lbw_seed0 --episodes 50 --record 2

writes ``RUN/eval/eval_info.json`` (per-episode seed, success, return, final goal distance,
initial and final positions; aggregated success rate, returns, distances, and the same under
LeRobot's keys ``pc_success``, ``avg_sum_reward``, ``eval_s``, ``eval_ep_s``),
``RUN/eval/success_map.png`` (each episode's start, success or failure: which starts the policy
handles) and ``RUN/eval/videos/episode_NNN.mp4``: human demo | the demo in the robot domain with
its keypoints | the robot's rollout with its keypoints. Evaluation seeds are 10_000 + i: never
seen in training or in its evaluations.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from lbw.drawing import draw_keypoints, label_strip
from lbw.files import save_figure, write_json
from lbw.policy.methods import Demonstration, MethodEnvFactory, fixed_policy
from lbw.policy.reference import frames_at_times, resample_frames
from lbw.policy.rollouts import EpisodeResult, rollout_episodes, summarize
from lbw.runtime import torch_threads
from lbw.video import read_video, write_video

EVAL_SEED = 10_000
VIDEO_SCALE = 3  # 64-px frames are drawn at 192 px


def run_env_factory(run_dir: str | os.PathLike) -> MethodEnvFactory:
    """A finished or started run's env as its training built it (its ``config.yaml`` and the
    perception models of its ``stages.json``)."""
    from lbw.policy.methods import method_env_factory
    from lbw.run_dir import load_run_config

    run_dir = Path(run_dir)
    stages_file = run_dir / "stages.json"
    stages = json.loads(stages_file.read_text()) if stages_file.exists() else {}
    return method_env_factory(load_run_config(run_dir), stages)


def load_best_policy(run_dir: str | os.PathLike):  # noqa: ANN201  (an SB3 SAC, imported lazily)
    """The run's kept policy (``policy/best_model.zip``), on the CPU; ``CheckpointError`` if
    it has none yet."""
    from stable_baselines3 import SAC

    from lbw.checkpoint import CheckpointError
    from lbw.policy.callbacks import BEST

    best = Path(run_dir) / "policy" / BEST
    if not best.is_file():
        raise CheckpointError(f"{best}: no trained policy (run `lbw train-policy` or `lbw run` first)")
    return SAC.load(best, device="cpu")


def evaluate_run(
    run_dir: str | os.PathLike,
    episodes: int | None = None,
    record: int | None = None,
    progress: bool = True,
    env_factory: MethodEnvFactory | None = None,
) -> dict[str, Any]:
    """Roll the run's best policy out (deterministically) on ``episodes`` seeded episodes
    (default: the config's) and write ``eval_info.json`` and videos; returns the info.
    ``env_factory``: the run's env as its training built it (default: built from the run's
    ``config.yaml`` and ``stages.json``)."""
    from lbw.config import EvalConfig
    from lbw.policy.callbacks import BEST, deterministic_policy
    from lbw.run_dir import load_run_config
    from lbw.stages import STAGE_FILE

    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    episodes = config.eval.episodes if episodes is None else episodes
    record = config.eval.record if record is None else record
    # Checked against the eval section's ranges before any work: a bad count must not replace a
    # good eval_info.json with an empty one.
    EvalConfig(episodes=episodes, record=record)
    if env_factory is None:
        env_factory = run_env_factory(run_dir)
    demonstration = env_factory.demonstration
    env = env_factory(render_mode="rgb_array")
    image_size = env.unwrapped.image_size
    start = time.perf_counter()
    try:
        if not config.method_spec.learns:
            act = fixed_policy(env, config)
        else:
            act = deterministic_policy(load_best_policy(run_dir))
        seeds = range(EVAL_SEED, EVAL_SEED + episodes)
        seeds = tqdm(seeds, desc="evaluate", unit="episode", disable=not progress)
        with torch_threads(1):
            results = rollout_episodes(env, act, seeds, record=record)
    finally:
        env.close()
    out = run_dir / "eval"
    (out / "videos").mkdir(parents=True, exist_ok=True)
    # The human clip always comes first (for robot_demo the demonstration is the robot clip).
    human = read_video(config.demo_clip, size=image_size)
    videos = []
    for result in results[:record]:
        path = out / "videos" / f"episode_{result.seed - EVAL_SEED:03d}.mp4"
        write_video(path, side_by_side(human, demonstration, result), fps=30)
        videos.append(str(path))
    aggregated = summarize(results)
    elapsed = time.perf_counter() - start
    # LeRobot's names for the same aggregates, so that its tools read lbw's records too.
    aggregated |= {
        "pc_success": 100.0 * aggregated["success_rate"],
        "avg_sum_reward": aggregated["mean_return"],
        "eval_s": round(elapsed, 1),
        "eval_ep_s": round(elapsed / episodes, 2),  # episodes ≥ 1, checked above
    }
    info = {
        "task": config.task,
        "method": config.method,
        "seed": config.policy.seed,
        "policy": (
            str(run_dir / "policy" / BEST) if config.method_spec.learns else config.method_spec.fixed_policy
        ),
        "aggregated": aggregated,
        "per_episode": [r.to_json() for r in results],
        "videos": videos,
    }
    write_json(out / "eval_info.json", info)
    plot_success_map(results, out / "success_map.png", title=f"{config.task}, {run_dir.name}")
    record_ = {"episodes": episodes, "build_wall_time_s": round(time.perf_counter() - start, 1)}
    write_json(out / STAGE_FILE, record_)
    return info


def plot_success_map(results: list[EpisodeResult], path: Path, title: str = "") -> None:
    """One panel per point whose start varies between episodes (the effector, the object):
    its start on the table plane (x, y in cm), a green dot for a success, a red cross for a
    failure. Failures bunched in one region show the starts the policy has not learned."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    starts = results[0].initial_positions
    varying = [
        n for n in starts if np.ptp([r.initial_positions[n][:2] for r in results], axis=0).max() > 1e-4
    ]
    names = varying or list(starts)  # one episode: every point
    success = np.array([r.success for r in results])
    figure, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.4), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        xy = 100.0 * np.array([r.initial_positions[name][:2] for r in results])
        axis.scatter(*xy[success].T, c="tab:green", marker="o", s=18, label="success")
        axis.scatter(*xy[~success].T, c="tab:red", marker="x", s=22, label="failure")
        axis.set(title=f"{name} at the start", xlabel="x, cm", ylabel="y, cm", aspect="equal")
        axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="best")
    figure.suptitle(f"{title}: success {success.mean():.2f} over {len(results)} episodes", fontsize=9)
    figure.tight_layout()
    save_figure(figure, path)
    plt.close(figure)


def side_by_side(human: np.ndarray, demonstration: Demonstration | None, result: EpisodeResult) -> np.ndarray:
    """Video frames: human demo | demo in the robot domain + keypoints | rollout + keypoints.
    The middle column is left out for methods without a demonstration (oracle, random)."""
    rollout = result.frames
    size = rollout.shape[1]
    length = len(rollout)
    index = np.minimum(np.arange(length), len(demonstration.keypoints) - 1) if demonstration else None
    # The human clip at the moments the reference compares with (the paired robot clip of
    # robot_demo has the human clip's timing).
    human = (
        resample_frames(human, length)
        if demonstration is None
        else frames_at_times(human, demonstration.source_times)
    )
    columns = [(_scaled(human[np.minimum(np.arange(length), len(human) - 1)], None), "human demo")]
    if demonstration is not None:
        demo_pixels = (demonstration.keypoints[index] + 1.0) * 0.5 * size
        columns.append((_scaled(demonstration.reference_frames[index], demo_pixels), "demo, robot domain"))
    pixels = None if result.keypoints is None else (result.keypoints + 1.0) * 0.5 * size
    status = "success" if result.success else "failure"
    columns.append((_scaled(rollout, pixels), f"robot ({status})"))
    width = size * VIDEO_SCALE
    frames = []
    for t in range(length):
        cells = [np.concatenate([label_strip(label, width), col[t]], axis=0) for col, label in columns]
        frames.append(np.concatenate(cells, axis=1))
    return np.stack(frames)


def _scaled(frames: np.ndarray, pixels: np.ndarray | None) -> np.ndarray:
    if pixels is None:
        pixels = np.full((len(frames), 0, 2), np.nan)
    return draw_keypoints(frames, pixels, scale=VIDEO_SCALE)
