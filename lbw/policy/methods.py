"""The methods of the comparison (``lbw.methods``) as environments: the MDP a policy learns
in (observation and reward), built from a demonstration and trained perception models.

    demo = load_demonstration("videos/push_human.mp4", detector, translator, length=61,
                              nominal_pace=robot_pace("push", detector))
    env = make_method_env("lbw", "push", demo, detector)

    make_env = method_env_factory(config, stages)   # the same, from a run's config and models
    env = make_env(render_mode="rgb_array"); make_env.demonstration
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import gymnasium as gym
import numpy as np

from lbw import envs
from lbw.keypoints.trainer import KeypointDetector
from lbw.methods import get_method
from lbw.policy.reference import (
    align_to_pace,
    at_times,
    frames_at_times,
    snap_to_robot,
    to_unit,
    uniform_times,
)
from lbw.policy.wrappers import KeypointObservation, KeypointReward, PhaseObservation, PixelReward
from lbw.translation import Translator
from lbw.video import VideoError, read_video

if TYPE_CHECKING:
    from lbw.config import RunConfig


@dataclass
class Demonstration:
    """A demo clip prepared as the reward's reference, aligned in time to the episode.

    Attributes:
        clip: uint8 (L, S, S, 3), the clip as given (the human's, or the paired robot clip).
        reference_frames: uint8 (L, S, S, 3), the clip in the robot domain (translated or not).
        keypoints: float32 (L, K, 2), keypoints of ``reference_frames`` in [-1, 1].
        source_times: float (L,), the fractional frame of the clip each step compares with
            (default: 0 … L - 1, a clip already one frame per step).
    L is the episode length + 1 (the reset frame, then one per step); S the detector's size.
    """

    clip: np.ndarray
    reference_frames: np.ndarray
    keypoints: np.ndarray
    source_times: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.source_times is None:
            self.source_times = np.arange(len(self.keypoints), dtype=float)


def load_demonstration(
    path: str | os.PathLike,
    detector: KeypointDetector,
    translator: Translator | None,
    length: int,
    nominal_pace: float | None = None,
    snap: int = 0,
    robot_keypoints: np.ndarray | None = None,
) -> Demonstration:
    """Read a clip (mp4, gif or folder; a non-square one cropped to its centre square),
    translate it if a translator is given, extract its keypoints and align them to ``length``
    steps: at ``nominal_pace`` (detector pixels per step, ``robot_pace``) with still frames
    skipped (``align_to_pace``), or stretched uniformly when it is None. ``snap`` k ≥ 1: the
    keypoints moved onto the mean of their k nearest of ``robot_keypoints`` (N, K, 2) px
    (``snap_to_robot``); the timing is still measured on the clip's own keypoints, whose
    motion is smooth where nearest poses jump."""
    clip = read_video(path, size=detector.image_size)
    if len(clip) < 2:
        raise VideoError(f"{path}: a demonstration needs at least 2 frames, got {len(clip)}")
    reference = translator(clip) if translator is not None else clip
    keypoints = detector(reference)
    times = (
        uniform_times(len(clip), length)
        if nominal_pace is None
        else align_to_pace(keypoints, nominal_pace, length)
    )
    if snap:
        if robot_keypoints is None:
            raise ValueError("snap needs robot_keypoints: the poses to snap onto")
        keypoints = snap_to_robot(keypoints, robot_keypoints, snap)
    return Demonstration(
        clip=frames_at_times(clip, times),
        reference_frames=frames_at_times(reference, times),
        keypoints=at_times(to_unit(keypoints, detector.image_size), times),
        source_times=times,
    )


def make_method_env(
    method: str,
    task: str,
    demonstration: Demonstration | None = None,
    detector: KeypointDetector | None = None,
    proprioception: bool = False,
    render_mode: str | None = None,
    keypoint_reward: str = "l2",
    starts: str = "default",
) -> gym.Env:
    """The env a method's policy acts in (``lbw.methods``' table); ``keypoint_reward`` is the
    norm of the keypoint methods' reward (``KeypointReward``); ``starts``: the spread of the
    episodes' initial states (``TabletopEnv``)."""
    spec = get_method(method)
    if not spec.perceives:
        return PhaseObservation(envs.make(task, obs_mode="state", render_mode=render_mode, starts=starts))
    if demonstration is None or detector is None:
        raise ValueError(f"method {method!r} needs a demonstration and a keypoint detector")
    reward = (
        PixelReward(demonstration.reference_frames)
        if spec.reward == "pixels"
        else KeypointReward(demonstration.keypoints, norm=keypoint_reward)
    )
    env = envs.make(
        task, obs_mode="pixels", image_size=detector.image_size, render_mode=render_mode, starts=starts
    )
    return KeypointObservation(env, detector, reward, proprioception=proprioception)


@dataclass
class MethodEnvFactory:
    """Makes a run's env (``factory()`` for training, ``factory(render_mode="rgb_array")`` for
    videos); holds the demonstration it rewards against (None for a method without a clip),
    so that training and evaluation share one reading of the clip."""

    config: RunConfig
    detector: KeypointDetector | None = None
    demonstration: Demonstration | None = None

    def __call__(self, render_mode: str | None = None) -> gym.Env:
        return make_method_env(
            self.config.method,
            self.config.task,
            self.demonstration,
            self.detector,
            proprioception=self.config.policy.proprioception,
            render_mode=render_mode,
            keypoint_reward=self.config.policy.keypoint_reward,
            starts=self.config.starts,
        )


def method_env_factory(config: RunConfig, stages: dict[str, str]) -> MethodEnvFactory:
    """The env factory of a run: its method's clip read, translated, keypointed and aligned
    with the perception models in ``stages`` (``{"keypoints": …, "translator": …}``)."""
    from lbw.policy.reference import robot_pace

    if not config.method_spec.perceives:
        return MethodEnvFactory(config)
    detector = KeypointDetector.load(stages["keypoints"])
    translator = Translator.load(stages["translator"]) if "translator" in stages else None
    nominal_pace = robot_pace(config.task, detector) if config.alignment == "pace" else None
    length = envs.MAX_EPISODE_STEPS + 1
    snap = config.snap_to_robot if config.method_spec.reward == "keypoints" else 0
    robot = None
    if snap:
        from lbw.stages import robot_pose_keypoints

        robot = robot_pose_keypoints(config, detector, progress=False)
    demonstration = load_demonstration(
        config.reward_clip, detector, translator, length, nominal_pace, snap, robot
    )
    return MethodEnvFactory(config, detector, demonstration)


Act = Callable[[np.ndarray], np.ndarray]

DEMO_SEED = 0  # the episode the shipped demo clips show (videos/README.md)


def fixed_policy(env: gym.Env, config: RunConfig) -> Act:
    """The policy of a method that does not learn (``Method.fixed_policy``) in ``env``."""
    from gymnasium.envs.registration import load_env_creator

    return load_env_creator(config.method_spec.fixed_policy)(env, config)


def random_policy(env: gym.Env, config: RunConfig) -> Act:
    """The ``random`` method: uniform actions from the env's action space, seeded by the run."""
    env.action_space.seed(config.policy.seed)
    return lambda obs: env.action_space.sample()


def scripted_demo_actions(task: str) -> list[np.ndarray]:
    """The scripted demonstrator's actions in the demo clips' episode (seed ``DEMO_SEED``,
    default starts), one per step."""
    demo_env = envs.make(task, obs_mode="state")
    try:
        demo_env.reset(seed=DEMO_SEED)
        actions, done = [], False
        while not done:
            actions.append(demo_env.unwrapped.scripted_action())
            *_, terminated, truncated, _ = demo_env.step(actions[-1])
            done = terminated or truncated
    finally:
        demo_env.close()
    return actions


def replay_policy(env: gym.Env, config: RunConfig) -> Act:
    """The ``replay`` method: the scripted demonstrator's actions in the demo clip's episode
    (``scripted_demo_actions``), replayed by step whatever the episode's start: the upper bound
    of a method that retargets the person's hand perfectly and never looks again. The step is
    read from the observation's phase t/T (``PhaseObservation``)."""
    actions = scripted_demo_actions(config.task)
    steps = len(actions)
    return lambda obs: actions[min(int(round(float(obs[-1]) * steps)), steps - 1)]
