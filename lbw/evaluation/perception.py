"""How good are the keypoints and the translation? Measured against simulator ground truth.

    lbw eval-perception --task push      # → runs/push/perception/perception.json and .png

* **Keypoint probe.** On held-out robot frames (a dataset collected with another seed than the
  training set), fit a linear map from the K keypoints to the ground-truth pixel positions of
  the effector and the objects on 80 % of the episodes; report the error (px) and R² on the rest.
  A point is fitted and measured on the frames it lies in (randomised motion takes the effector
  out of the camera's view now and then, where no keypoint can follow it); how many test frames
  that leaves out is reported with it.
* **Effector in 3-D.** The same kind of linear map from keypoints to the effector's position in
  metres, on robot episodes of randomised motion: can the keypoints tell where the effector is
  along the camera's ray (its shadow on the table is the cue), not only where it is in the image?
* **Translation fidelity.** For demos recorded with the human and replayed with the robot, the
  mean distance (px) between the keypoints of each translated human frame and those of its
  paired robot frame, against the same for untranslated human frames; and the probe's
  effector/object localisation error on translated frames. Measured per demonstrator look
  (``demos_by_look``): (a) the shipped clips' look, (b) new looks drawn from the training
  ranges, (c) each held-out look, outside those ranges.
* **Unpaired keypoint gap.** The Fréchet distance (px) between the keypoints of translated
  held-out human frames and those of held-out robot frames, both of randomised motion: it needs
  no paired clip, so it may choose between translators (seeds, checkpoints) without touching
  the ground truth the fidelity measure uses. A translation that drops the arm moves the
  effector's keypoints off the robot's distribution and raises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from lbw import envs
from lbw.dataset import FrameDataset, random_motion_policy
from lbw.demo import Demo, record_demo
from lbw.drawing import draw_keypoints, image_grid, label_strip
from lbw.envs.appearance import HELD_OUT, sample_appearance
from lbw.keypoints.gap import unpaired_keypoint_gap
from lbw.keypoints.trainer import KeypointDetector
from lbw.translation.base import Translator
from lbw.video import resize


@dataclass
class LinearProbe:
    """Pixel positions (N, P, 2) ≈ [keypoints (N, K·2), 1] @ weights."""

    weights: np.ndarray  # (K·2 + 1, P·2)
    point_names: list[str]

    @classmethod
    def fit(
        cls,
        keypoints: np.ndarray,
        pixels: np.ndarray,
        point_names: list[str],
        visible: np.ndarray | None = None,
    ) -> LinearProbe:
        """Least squares per point on the frames where ``visible`` (N, P) is true (default: all)."""
        design = _design(keypoints)
        visible = np.ones(pixels.shape[:2], bool) if visible is None else visible
        weights = np.concatenate(  # point i's (u, v) columns side by side: (K·2 + 1, P·2)
            [
                np.linalg.lstsq(design[visible[:, i]], pixels[visible[:, i], i], rcond=None)[0]
                for i in range(len(point_names))
            ],
            axis=1,
        )
        return cls(weights, point_names)

    def predict(self, keypoints: np.ndarray) -> np.ndarray:
        return (_design(keypoints) @ self.weights).reshape(len(keypoints), -1, 2)


def _design(keypoints: np.ndarray) -> np.ndarray:
    flat = keypoints.reshape(len(keypoints), -1)
    return np.concatenate([flat, np.ones((len(flat), 1))], axis=1)


def in_view(pixels: np.ndarray, image_size: int) -> np.ndarray:
    """(N, P) bool: which points (N, P, 2) lie inside the image (0 ≤ u, v ≤ image_size)."""
    return ((pixels >= 0) & (pixels <= image_size)).all(axis=-1)


def _errors(
    predicted: np.ndarray, truth: np.ndarray, names: list[str], visible: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per point, over the frames where it is ``visible`` (N, P): mean Euclidean error (px),
    R² over both coordinates, and how many frames were left out as out of view."""
    out = {}
    for i, name in enumerate(names):
        seen = visible[:, i]
        residual = predicted[seen, i] - truth[seen, i]
        variance = ((truth[seen, i] - truth[seen, i].mean(axis=0)) ** 2).sum()
        r2 = 1.0 - (residual**2).sum() / variance if variance > 1e-9 else float("nan")
        out[name] = {
            "error_px": float(np.linalg.norm(residual, axis=-1).mean()),
            "r2": float(r2),
            "out_of_view_frames": int((~seen).sum()),
        }
    return out


def moving_points(dataset: FrameDataset) -> list[str]:
    """The tracked points that move in the dataset (a fixed goal has no variance to explain)."""
    spread = dataset.pixels.std(axis=0).max(axis=-1)
    return [n for n, s in zip(dataset.point_names, spread, strict=True) if s > 0.5]


def keypoint_probe(
    detector: KeypointDetector, heldout: FrameDataset, fit_fraction: float = 0.8
) -> tuple[LinearProbe, dict[str, Any]]:
    """Fit the probe on the first ``fit_fraction`` of the episodes, test on the rest."""
    names = moving_points(heldout)
    index = [heldout.point_names.index(n) for n in names]
    keypoints = detector(heldout.frames)
    pixels = heldout.pixels[:, index] * detector.image_size / heldout.frames.shape[1]
    episodes = np.unique(heldout.episode)
    cut = episodes[int(len(episodes) * fit_fraction)]
    fit, test = heldout.episode < cut, heldout.episode >= cut
    visible = in_view(pixels, detector.image_size)
    probe = LinearProbe.fit(keypoints[fit], pixels[fit], names, visible[fit])
    result = {
        "points": _errors(probe.predict(keypoints[test]), pixels[test], names, visible[test]),
        "fit_frames": int(fit.sum()),
        "test_frames": int(test.sum()),
    }
    return probe, result


def effector_position_probe(
    task: str, detector: KeypointDetector, episodes: int = 40, seed: int = 1, fit_fraction: float = 0.8
) -> dict[str, Any]:
    """Fit a linear map keypoints → effector position (m) on the first ``fit_fraction`` of
    ``episodes`` robot episodes of randomised motion; its held-out error (cm) and R² per axis."""
    env = envs.make(task, obs_mode="pixels", image_size=detector.image_size)
    rng = np.random.default_rng(seed)
    frames, positions, episode = [], [], []
    try:
        for index in range(episodes):
            obs, info = env.reset(seed=int(rng.integers(2**31)))
            policy = random_motion_policy(env.unwrapped, rng)
            for _ in range(envs.MAX_EPISODE_STEPS):
                frames.append(obs)
                positions.append(info["positions"]["effector"])
                episode.append(index)
                obs, *_, info = env.step(policy())
    finally:
        env.close()
    design = _design(detector(np.stack(frames)))
    truth, fit = np.stack(positions), np.asarray(episode) < int(episodes * fit_fraction)
    weights, *_ = np.linalg.lstsq(design[fit], truth[fit], rcond=None)
    residual = design[~fit] @ weights - truth[~fit]
    variance = ((truth[~fit] - truth[~fit].mean(axis=0)) ** 2).sum(axis=0)
    return {
        "error_cm": float(100 * np.linalg.norm(residual, axis=-1).mean()),
        "axis_error_cm": dict(zip("xyz", (100 * np.abs(residual).mean(axis=0)).tolist(), strict=True)),
        "axis_r2": dict(zip("xyz", (1.0 - (residual**2).sum(axis=0) / variance).tolist(), strict=True)),
        "test_frames": int((~fit).sum()),
    }


def translation_fidelity(
    detector: KeypointDetector, probe: LinearProbe, demos: list[Demo], translators: dict[str, Translator]
) -> dict[str, Any]:
    """Keypoint distance to the paired robot frames and probe localisation error, per method:
    each translator, ``"no_translation"`` (human frames as they are) and ``"paired_robot"``
    (the robot clip itself: the floor any translation can reach)."""
    results: dict[str, Any] = {}
    methods = {
        "no_translation": lambda d: d.human_frames,
        "paired_robot": lambda d: d.robot_frames,
        **{name: (lambda d, t=t: t(d.human_frames)) for name, t in translators.items()},
    }
    for method, frames_of in methods.items():
        distances, localisation = [], {n: [] for n in probe.point_names}
        for demo in demos:
            reference = detector(demo.robot_frames)
            keypoints = detector(frames_of(demo))
            distances.append(np.linalg.norm(keypoints - reference, axis=-1).mean())
            truth = np.stack([demo.pixels[n] for n in probe.point_names], axis=1)
            truth = truth * detector.image_size / demo.image_size
            error = np.linalg.norm(probe.predict(keypoints) - truth, axis=-1)
            visible = in_view(truth, detector.image_size)
            for i, name in enumerate(probe.point_names):
                localisation[name].append(error[visible[:, i], i].mean())
        results[method] = {
            "keypoint_distance_px": float(np.mean(distances)),
            "localisation_error_px": {n: float(np.mean(v)) for n, v in localisation.items()},
        }
    return results


DEFAULT_LOOK = "default"
TRAINING_LOOKS = "training_ranges"


def demos_by_look(task: str, demos: int = 5, seed: int = 0, image_size: int = 64) -> dict[str, list[Demo]]:
    """``demos`` demos (seeds ``seed``…) per demonstrator look: ``"default"`` (the shipped
    clips'), ``"training_ranges"`` (a new look per demo, drawn from the training ranges with
    seeds 5000 + i, which no training set used) and each held-out preset."""
    seeds = range(seed, seed + demos)
    looks: dict[str, list[Demo]] = {
        DEFAULT_LOOK: [record_demo(task, s, image_size) for s in seeds],
        TRAINING_LOOKS: [
            record_demo(task, s, image_size, appearance=sample_appearance(np.random.default_rng(5000 + i)))
            for i, s in enumerate(seeds)
        ],
    }
    for name in HELD_OUT:
        looks[name] = [record_demo(task, s, image_size, appearance=name) for s in seeds]
    return looks


def evaluate_perception(
    task: str,
    detector: KeypointDetector,
    translators: dict[str, Translator],
    heldout: FrameDataset,
    demos: dict[str, list[Demo]],
    heldout_human: FrameDataset,
    position_episodes: int = 40,
) -> dict[str, Any]:
    """All measures for one task, as the JSON-ready dict ``eval-perception`` writes
    (``heldout``, ``heldout_human``: robot and human frames no model trained on; ``demos``:
    paired demos per demonstrator look, ``demos_by_look``, the default look's first;
    ``position_episodes``: episodes of the effector-position probe)."""
    probe, probe_result = keypoint_probe(detector, heldout)
    by_look = {look: translation_fidelity(detector, probe, d, translators) for look, d in demos.items()}
    first = next(iter(demos.values()))
    return {
        "task": task,
        "keypoint_probe": probe_result,
        "effector_position_probe": effector_position_probe(task, detector, position_episodes),
        "translation": next(iter(by_look.values())),
        "translation_by_look": by_look,
        "unpaired_keypoint_gap_px": unpaired_keypoint_gap(detector, heldout_human, heldout, translators),
        "demos": [d.seed for d in first],
    }


def comparison_picture(
    detector: KeypointDetector,
    demo: Demo,
    translators: dict[str, Translator],
    moments: int = 4,
    scale: int = 3,
) -> np.ndarray:
    """Columns: human frame | each translation | paired robot frame, keypoints drawn; rows:
    moments of the demo from start to end."""
    steps = np.linspace(0, len(demo.human_frames) - 1, moments).round().astype(int)
    sources = {"human": demo.human_frames[steps]}
    sources.update({name: t(demo.human_frames[steps]) for name, t in translators.items()})
    sources["paired robot"] = demo.robot_frames[steps]
    size = detector.image_size
    cells = [draw_keypoints(resize(frames, size), detector(frames), scale) for frames in sources.values()]
    grid = image_grid([np.stack([column[i] for column in cells]) for i in range(moments)])
    header = np.concatenate([label_strip(name, size * scale) for name in sources], axis=1)
    return np.concatenate([header, grid], axis=0)


def looks_picture(
    detector: KeypointDetector,
    demos: dict[str, Demo],
    translators: dict[str, Translator],
    moments: tuple[float, ...] = (0.35, 0.7),
    scale: int = 2,
) -> np.ndarray:
    """One row per demonstrator look: at each moment (a fraction of the clip), the human frame,
    each translation and the paired robot frame, keypoints drawn; the look's name above."""
    rows = []
    for look, demo in demos.items():
        steps = [round(m * (len(demo.human_frames) - 1)) for m in moments]
        cells = []
        for t in steps:
            frames = [
                demo.human_frames[t : t + 1],
                *(tr(demo.human_frames[t : t + 1]) for tr in translators.values()),
            ]
            frames.append(demo.robot_frames[t : t + 1])
            cells += [draw_keypoints(resize(f, detector.image_size), detector(f), scale)[0] for f in frames]
        row = np.concatenate(cells, axis=1)
        names = " | ".join(["human", *translators, "robot"])
        rows.append(label_strip(f"{look}:  {names}  (x{len(moments)} moments)", row.shape[1]))
        rows.append(row)
    return np.concatenate(rows, axis=0)


def perception_table(results: list[dict[str, Any]]) -> str:
    """One markdown row per task from ``eval-perception`` results."""
    lines = [
        "| task | probe: effector px (R²) | probe: object px (R²) | probe: effector 3-D cm (R² of depth y) "
        "| keypoint distance to paired robot, px: MUNIT / CycleGAN / no translation "
        "| unpaired keypoint gap, px: MUNIT / CycleGAN / no translation "
        "| training min: Transporter / MUNIT / CycleGAN |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def fmt(value: float | None, digits: int = 2) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    gpus = sorted({d for r in results for d in r.get("trained_on", {}).values() if d != "cpu"})

    for r in results:
        points = r["keypoint_probe"]["points"]
        obj = next((n for n in points if n != "effector"), None)
        probe = [
            f"{fmt(points[n]['error_px'])} ({fmt(points[n]['r2'])})" if n in points else "–"
            for n in ("effector", obj)
        ]
        position = r.get("effector_position_probe")
        position_cell = (
            f"{fmt(position['error_cm'], 1)} ({fmt(position['axis_r2']['y'])})" if position else "–"
        )
        translation = r["translation"]
        methods = ("munit", "cyclegan", "no_translation")
        distances = [fmt(translation.get(m, {}).get("keypoint_distance_px"), 1) for m in methods]
        gap = r.get("unpaired_keypoint_gap_px", {})
        gaps = [fmt(gap.get(m), 1) for m in methods]
        minutes, devices = r.get("training_time_s", {}), r.get("trained_on", {})
        times = [
            fmt(minutes[m] / 60, 1) + ("†" if devices.get(m, "cpu") != "cpu" else "") if m in minutes else "–"
            for m in ("transporter", "munit", "cyclegan")
        ]
        lines.append(
            f"| {r['task']} | {probe[0]} | {obj or ''} {probe[1]} | {position_cell} "
            f"| {' / '.join(distances)} | {' / '.join(gaps)} | {' / '.join(times)} |"
        )
    if gpus:
        lines.append(f"\n† trained on a GPU ({', '.join(gpus)}), not on this machine's CPU.")
    return "\n".join(lines)


def _look_errors(values: dict[str, Any]) -> tuple[float, float]:
    """One translator on one look → (keypoint distance, effector error), px."""
    return values["keypoint_distance_px"], values["localisation_error_px"].get("effector", float("nan"))


def appearance_table(results: list[dict[str, Any]], translator: str = "munit") -> str:
    """Markdown, one row per result (a task and a training seed): keypoint distance to the
    paired robot clip and effector error (px) of ``translator`` for (a) the default look, (b)
    looks from the training ranges, (c) the held-out looks (their mean, and the worst)."""
    lines = [
        "| task | models | (a) default: kp / effector px | (b) training ranges | (c) held out: mean "
        "| (c) worst look | untranslated (a) / (c) kp px |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]

    def cell(values: dict[str, Any]) -> str:
        return "{:.1f} / {:.1f}".format(*_look_errors(values))

    for r in results:
        looks = r["translation_by_look"]
        held = [k for k in looks if k not in (DEFAULT_LOOK, TRAINING_LOOKS)]
        kp = {k: looks[k][translator]["keypoint_distance_px"] for k in held}
        eff = {k: looks[k][translator]["localisation_error_px"].get("effector", float("nan")) for k in held}
        worst = max(held, key=lambda k: kp[k])
        untranslated = (
            looks[DEFAULT_LOOK]["no_translation"]["keypoint_distance_px"],
            float(np.mean([looks[k]["no_translation"]["keypoint_distance_px"] for k in held])),
        )
        lines.append(
            f"| {r['task']} | {r.get('label', '')} | {cell(looks[DEFAULT_LOOK][translator])} "
            f"| {cell(looks[TRAINING_LOOKS][translator])} "
            f"| {np.mean(list(kp.values())):.1f} / {np.mean(list(eff.values())):.1f} "
            f"| {kp[worst]:.1f} / {eff[worst]:.1f} ({worst}) "
            f"| {untranslated[0]:.1f} / {untranslated[1]:.1f} |"
        )
    return "\n".join(lines)


TRANSLATION_GOAL_PX = 3.0  # keypoints and effector within this of the paired robot clip's
SEED_TAIL = re.compile(r"_seed(\d+)$")  # a label's training seed: push_prior_seed2


def appearance_summary(results: list[dict[str, Any]], translator: str = "munit") -> str:
    """Markdown, one row per recipe (results whose ``label`` differs only in its ``_seedN``
    tail): the worst training seed's keypoint / effector error (px) on (a), (b) and (c) (the
    largest of its held-out looks' errors, each of the two on its own), and how many seeds keep
    both within ``TRANSLATION_GOAL_PX`` on (a) and (b), and on all three."""
    lines = [
        "| task | recipe | training seeds | (a) default, worst seed: kp / effector px | (b) worst seed "
        f"| (c) worst look, worst seed | seeds within {TRANSLATION_GOAL_PX:g} px: on (a), (b) "
        "| on (a), (b), (c) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        recipe = SEED_TAIL.sub("", r.get("label", ""))
        groups.setdefault((r["task"], recipe), []).append(r)

    for (task, recipe), group in sorted(groups.items()):
        per_seed = []  # (a), (b), (c): (kp, effector) each, per training
        for r in group:
            looks = r["translation_by_look"]
            held = [
                _look_errors(looks[k][translator]) for k in looks if k not in (DEFAULT_LOOK, TRAINING_LOOKS)
            ]
            per_seed.append(
                [
                    _look_errors(looks[DEFAULT_LOOK][translator]),
                    _look_errors(looks[TRAINING_LOOKS][translator]),
                    (max(h[0] for h in held), max(h[1] for h in held)),
                ]
            )
        worst = np.max(np.array(per_seed), axis=0)  # (3 columns, kp / effector)
        within = [sum(bool(np.all(np.array(s[:n]) <= TRANSLATION_GOAL_PX)) for s in per_seed) for n in (2, 3)]
        seeds = ", ".join(m.group(1) if (m := SEED_TAIL.search(r.get("label", ""))) else "–" for r in group)
        cells = " | ".join(f"{kp:.1f} / {eff:.1f}" for kp, eff in worst)
        counts = " | ".join(f"{n} of {len(group)}" for n in within)
        lines.append(f"| {task} | {recipe} | {seeds} | {cells} | {counts} |")
    return "\n".join(lines)
