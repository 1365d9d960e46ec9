"""The same demonstration at another pace: re-timed clips, for measuring time alignment.

    from lbw.demo import record_demo
    from lbw.retiming import TIMINGS, retime_demo
    demo = record_demo("push", seed=0)
    slow = retime_demo(demo, TIMINGS["slow"](len(demo.human_frames)))   # 0.5× pace, 121 frames
    wide = retime_demo(demo, TIMINGS["scripted"](61), width=96)        # 64×96 frames

A re-timed clip is rendered, not resampled: at every output frame the scene is posed at the
recorded states interpolated at a source time (in frames of the scripted clip), in the same
demonstrator's look, and the paired robot clip is rendered alongside. A person who waits, slows
down or pauses thus looks as a real one would: still frames where they wait, smooth motion
where they move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from lbw import envs
from lbw.demo import Demo, DemoError
from lbw.envs.appearance import Appearance
from lbw.envs.base import SimState
from lbw.policy.reference import at_times

IDLE = 20  # frames a demonstrator stands still, at the start, the end or a pause


def _scripted(n: int) -> np.ndarray:
    return np.arange(n, dtype=float)


def _hold(time: float, frames: int) -> np.ndarray:
    return np.full(frames, float(time))


TIMINGS: dict[str, Callable[[int], np.ndarray]] = {
    # name → source times (in frames of the scripted clip of n frames) of each output frame
    "scripted": _scripted,
    "idle_start": lambda n: np.concatenate([_hold(0, IDLE), _scripted(n)]),
    "idle_end": lambda n: np.concatenate([_scripted(n), _hold(n - 1, IDLE)]),
    "slow": lambda n: np.linspace(0, n - 1, 2 * n - 1),  # 0.5× pace (or the scripted pace at 60 fps)
    "fast": lambda n: np.arange(0, n, 2, dtype=float),  # 2× pace
    "pause": lambda n: np.concatenate(
        [_scripted(n // 2), _hold(n // 2, IDLE), np.arange(n // 2, n, dtype=float)]
    ),
    # slower first half (1.5×), scripted second half
    "uneven": lambda n: np.concatenate(
        [np.linspace(0, n // 2, 3 * (n // 2) // 2, endpoint=False), np.arange(n // 2, n, dtype=float)]
    ),
    # what a person filmed at home might do: wait, move at 0.75×, pause, finish, wait
    "user": lambda n: np.concatenate(
        [
            _hold(0, 15),
            np.linspace(0, n // 3, n // 3 * 4 // 3, endpoint=False),
            _hold(n // 3, 10),
            np.linspace(n // 3, n - 1, (n - 1 - n // 3) * 4 // 3),
            _hold(n - 1, 15),
        ]
    ),
}

WIDE = "wide"  # the scripted timing, filmed 1.5× as wide (a variant of framing, not of pace)
# what `lbw eval-alignment` measures: every re-timing of the scripted clip, and the wide framing
VARIANTS = (*(name for name in TIMINGS if name != "scripted"), WIDE)


def interpolate_state(states: list[SimState], time: float) -> SimState:
    """The scene at a fractional frame ``time``: positions linear, orientations normalised-linear."""
    time = float(np.clip(time, 0, len(states) - 1))
    i = min(int(np.floor(time)), len(states) - 2) if len(states) > 1 else 0
    w = time - i
    if len(states) == 1 or w == 0.0:
        return {k: v.copy() for k, v in states[i].items()}
    a, b = states[i], states[i + 1]
    out = {}
    for key in a:
        value = (1.0 - w) * a[key] + w * b[key]
        if len(value) == 7:  # position + quaternion: renormalise (same hemisphere first)
            q_b = b[key][3:] if np.dot(a[key][3:], b[key][3:]) >= 0 else -b[key][3:]
            q = (1.0 - w) * a[key][3:] + w * q_b
            value[3:] = q / np.linalg.norm(q)
        out[key] = value
    return out


def retime_demo(demo: Demo, times: np.ndarray, width: int | None = None) -> Demo:
    """Render ``demo`` at source ``times`` (T', fractional frames of the demo) in its own look,
    with its paired robot clip; ``width`` > the image size renders wider frames (H, width, 3)
    whose centre square is the usual view. Ground truth (positions, pixels, success) follows."""
    if not demo.states:
        raise DemoError("this demo holds no scene states to re-time: record it with lbw.demo.record_demo")
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or len(times) < 2 or times.min() < 0 or times.max() > len(demo.states) - 1:
        raise ValueError(f"times must be ≥ 2 frame times within [0, {len(demo.states) - 1}]")
    look = demo.meta.get("appearance")
    human = envs.make(demo.task, embodiment="human", image_size=demo.image_size)
    robot = envs.make(demo.task, embodiment="robot", image_size=demo.image_size)
    try:
        if look is not None:
            human.unwrapped.set_appearance(Appearance.from_dict(look))
        human.reset(seed=demo.seed)
        robot.reset(seed=demo.seed)
        human_frames, robot_frames, states = [], [], []
        for t in times:
            state = interpolate_state(demo.states, t)
            for env, frames in ((human, human_frames), (robot, robot_frames)):
                env.unwrapped.set_full_state(state)
                frames.append(env.unwrapped.render_frame(width))
            states.append(state)
    finally:
        human.close()
        robot.close()
    return replace(
        demo,
        human_frames=np.stack(human_frames),
        robot_frames=np.stack(robot_frames),
        positions={k: at_times(v, times) for k, v in demo.positions.items()},
        pixels={k: at_times(v, times) for k, v in demo.pixels.items()},
        is_success=demo.is_success[np.round(times).astype(int)],
        states=states,
        meta={**demo.meta, "source_times": np.round(times, 3).tolist()},
    )
