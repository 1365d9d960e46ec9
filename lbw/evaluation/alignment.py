"""Does a re-timed demonstration give the same reference? Measured on re-rendered clips.

    lbw eval-alignment --task push      # → runs/push/alignment/alignment.json, a markdown table

The scripted demo is rendered again at other paces (``lbw.retiming.TIMINGS``: idle frames at the
start or end, 0.5× and 2× pace, a pause, an uneven pace, a home-made mix; and the scripted
timing filmed wider, 64×96, which the reader crops). Each clip goes through the method's
perception (translated, keypoints) and is aligned to the episode both ways — ``pace``
(``align_to_pace``) and ``uniform`` — and its reference is compared with the *scripted* clip's
reference under the same alignment: the mean keypoint distance (px) over steps and keypoints.
The ``paired robot`` rows do the same on the paired robot clips (no translation), which
isolates the alignment from translation noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lbw import envs
from lbw.demo import Demo
from lbw.keypoints.trainer import KeypointDetector
from lbw.policy.reference import PACE_RULE, PaceRule, align_to_pace, at_times, robot_pace, uniform_times
from lbw.retiming import TIMINGS, VARIANTS, WIDE, retime_demo
from lbw.translation.base import Translator
from lbw.video import center_square


def check_variants(variants: Sequence[str]) -> None:
    """Raise ``ValueError`` naming any of ``variants`` that is not one of ``VARIANTS``."""
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown timing variants {', '.join(unknown)}; choose from {','.join(VARIANTS)}")


SOURCES = ("translated", "paired robot")


def retimed_keypoints(
    demo: Demo,
    detector: KeypointDetector,
    translator: Translator | None,
    variants: Sequence[str] = VARIANTS,
) -> dict[str, dict[str, np.ndarray]]:
    """Keypoints (T, K, 2) px of the scripted clip and each of ``variants`` re-rendered from
    ``demo``: per source (``SOURCES``: the human clip translated, the paired robot clip), per
    timing name."""
    check_variants(variants)
    n = len(demo.human_frames)
    timings = ["scripted", *(v for v in VARIANTS if v in variants and v != WIDE)]
    clips = {name: retime_demo(demo, TIMINGS[name](n)) for name in timings}
    if WIDE in variants:
        clips[WIDE] = retime_demo(demo, TIMINGS["scripted"](n), width=demo.image_size * 3 // 2)
    sources = {
        "translated": lambda d: translator(center_square(d.human_frames)) if translator else d.human_frames,
        "paired robot": lambda d: center_square(d.robot_frames),
    }
    return {
        source: {name: detector(frames_of(clip)) for name, clip in clips.items()}
        for source, frames_of in sources.items()
    }


def alignment_errors(
    keypoints: dict[str, np.ndarray], nominal_pace: float, rule: PaceRule = PACE_RULE
) -> dict[str, Any]:
    """Per alignment (``pace`` by ``rule`` at ``nominal_pace`` px per step, ``uniform``) and
    clip of ``keypoints`` (one source of ``retimed_keypoints``): the mean keypoint distance
    (px) of its reference to the scripted clip's; and how far the pace alignment moves the
    scripted clip's own reference from the uniform one."""
    length = envs.MAX_EPISODE_STEPS + 1
    times = {
        "pace": {k: align_to_pace(z, nominal_pace, length, rule) for k, z in keypoints.items()},
        "uniform": {k: uniform_times(len(z), length) for k, z in keypoints.items()},
    }
    references = {alignment: at_times(keypoints["scripted"], t["scripted"]) for alignment, t in times.items()}
    result: dict[str, Any] = {
        alignment: {
            name: float(np.linalg.norm(at_times(keypoints[name], t) - references[alignment], axis=-1).mean())
            for name, t in by_clip.items()
        }
        for alignment, by_clip in times.items()
    }
    gap = np.linalg.norm(references["pace"] - references["uniform"], axis=-1).mean()
    result["pace_vs_uniform_scripted_px"] = float(gap)
    return result


def reference_error(
    task: str,
    demo: Demo,
    detector: KeypointDetector,
    translator: Translator | None,
    variants: Sequence[str] = VARIANTS,
) -> dict[str, Any]:
    """Per timing variant (of ``VARIANTS``) and alignment: keypoint distance (px) of its
    reference to the scripted clip's, for the translated human clip and for the paired robot
    clip (the scripted clip's own entry: 0)."""
    keypoints = retimed_keypoints(demo, detector, translator, variants)
    nominal = robot_pace(task, detector)
    result: dict[str, Any] = {
        "nominal_pace_px_per_step": nominal,
        "frames": {name: len(z) for name, z in keypoints["translated"].items()},
    }
    return result | {source: alignment_errors(keypoints[source], nominal) for source in SOURCES}


def alignment_table(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per task and source, one column per variant measured in any of
    ``results``, ``pace / uniform`` px (– where a result lacks it)."""
    measured = {v for r in results for v in r["translated"]["pace"]}
    variants = [v for v in VARIANTS if v in measured]
    lines = [
        "| task | keypoints of | " + " | ".join(variants) + " | scripted: pace vs uniform |",
        "|---|---|" + "---:|" * (len(variants) + 1),
    ]
    for r in results:
        for source in ("translated", "paired robot"):
            errors = r[source]
            cells = [
                f"{errors['pace'][v]:.2f} / {errors['uniform'][v]:.2f}" if v in errors["pace"] else "–"
                for v in variants
            ]
            gap = f"{errors['pace_vs_uniform_scripted_px']:.2f}"
            lines.append(f"| {r['task']} | {source} | " + " | ".join(cells) + f" | {gap} |")
    return "\n".join(lines)
