"""Run configuration: typed dataclasses, one per stage, composed into ``RunConfig``.

    from lbw.config import load_config
    config = load_config("configs/push.yaml", overrides=["policy.seed=1", "method=oracle"])
    config.policy.total_steps  # 60000

A YAML file holds any subset of the keys below (defaults fill the rest); ``key=value``
overrides use dotted paths and YAML values. A key that does not exist is an error naming it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from envs import TASKS

VIDEO_METHODS = ("lbw", "lbw_cyclegan", "no_translation", "pixel", "robot_demo")  # learn from a clip
STATE_METHODS = ("oracle", "random")  # baselines on ground truth
METHODS = VIDEO_METHODS + STATE_METHODS
KEYPOINT_REWARDS = ("l2", "per_keypoint")  # norms of the keypoint reward (lbw.policy.KeypointReward)
ALIGNMENTS = ("pace", "uniform")  # how a demo is timed against the episode (lbw.policy.reference)


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.1 as PyYAML reads it, plus floats written without a dot (``3e-5``, which YAML 1.1
    leaves a string)."""


_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)


class ConfigError(ValueError):
    """A configuration that names an unknown key or holds a value of the wrong kind."""


@dataclass
class DataConfig:
    """Unpaired frame datasets for the perception models (``lbw collect``)."""

    frames: int = 5000  # frames per embodiment
    seed: int = 0  # collection seed
    # human frames' look: varied (a new demonstrator and room per episode, from the training
    # ranges of envs.appearance) | default (the shipped clips' look) | a held-out preset's name
    human_appearance: str = "varied"

    def __post_init__(self) -> None:
        from envs.appearance import PRESETS

        if self.human_appearance != "varied" and self.human_appearance not in PRESETS:
            raise ConfigError(
                f"data.human_appearance: unknown appearance {self.human_appearance!r}; choose varied "
                f"or one of {', '.join(PRESETS)}"
            )


@dataclass
class TranslatorConfig:
    """The human → robot translator (``lbw train-translator``)."""

    checkpoint: str | None = None  # a translator.pt of the method's model, used instead of training one
    iterations: int = 4000  # generator + discriminator updates
    batch_size: int = 4  # frames per domain per update
    width: int = 16  # first conv width; the networks scale with it
    seed: int = 0
    # weight of the keypoint prior (lbw.translation.keypoint_prior): a discriminator on the robot
    # keypoint detector's keypoints of translated frames, so that a translation keeps the arm; 0: off
    keypoint_prior: float = 1.0
    # Translate with the snapshot (one per 500 updates) whose translated human frames give
    # keypoints nearest the robot's in distribution (unpaired keypoint gap); false: the last one.
    select: bool = True


@dataclass
class KeypointsConfig:
    """The Transporter keypoint detector (``lbw train-keypoints``)."""

    checkpoint: str | None = None  # a trained transporter.pt to use instead of training one
    iterations: int = 2500  # gradient steps
    batch_size: int = 16  # frame pairs per step
    num_keypoints: int = 6  # K
    width: int = 16  # first conv width
    seed: int = 0


@dataclass
class PolicyConfig:
    """Soft Actor-Critic (stable-baselines3) on the method's reward."""

    total_steps: int = 60_000  # env steps
    buffer_size: int | None = None  # replay capacity in transitions; null: total_steps (all of them)
    learning_starts: int = 1000  # env steps of random actions before the first update
    batch_size: int = 128  # transitions per gradient step
    gamma: float = 0.97  # discount
    learning_rate: float = 3e-4
    # learning rate at total_steps, reached linearly from learning_rate (null: constant):
    # small late steps keep a learned push from being unlearned between evaluations
    learning_rate_final: float | None = None
    net_arch: list[int] = field(default_factory=lambda: [64, 64])  # hidden sizes of actor and critics
    train_freq: int = 2  # env steps between updates (2 keeps training ≥ 100 env steps/s on 2 CPU cores)
    gradient_steps: int = 1  # gradient steps per update
    n_steps: int = 3  # n-step returns for the critic's target (1: plain one-step TD)
    # σ of Ornstein-Uhlenbeck noise added to the training actions (0: none, SAC's own sampling
    # only): it drifts over an episode, so the arm wanders whole centimetres, not jitters
    action_noise: float = 0.0
    # probability per env step of an excursion: a random action push held for 5–20 steps (0: none;
    # excludes action_noise)
    excursions: float = 0.0
    # env steps during which action_noise or excursions apply, then plain SAC (null: all of
    # training): exploration to escape a trap early, none to refine the skill late
    exploration_steps: int | None = None
    proprioception: bool = False  # also observe the effector position (the arm's own state)
    # keypoint reward: l2 (‖z − zᴱ‖ over all keypoints) | per_keypoint (Σ_k ‖z_k − zᴱ_k‖ / √K)
    keypoint_reward: str = "l2"
    eval_every: int = 5000  # env steps between evaluations (the best one is kept)
    eval_episodes: int = 20  # episodes per evaluation during training
    # The select_top best-evaluated models are re-scored on select_episodes validation episodes
    # at the end and the best kept (1: the best training evaluation is kept as it is)
    select_top: int = 1
    select_episodes: int = 50
    checkpoint_every: int = 10_000  # env steps between resumable checkpoints
    seed: int = 0

    def __post_init__(self) -> None:
        # Here, not in RunConfig: library callers building a PolicyConfig get the same errors.
        if not self.action_noise >= 0:
            raise ConfigError(f"policy.action_noise: must be ≥ 0 (0: none), got {self.action_noise}")
        if not 0 <= self.excursions <= 1:
            raise ConfigError(f"policy.excursions: a probability in [0, 1], got {self.excursions}")
        if self.excursions > 0 and self.action_noise > 0:
            raise ConfigError("policy.action_noise and policy.excursions: choose one (set the other to 0)")
        if self.exploration_steps is not None and self.exploration_steps < 0:
            raise ConfigError(
                f"policy.exploration_steps: must be ≥ 0 (null: all of training), got {self.exploration_steps}"
            )
        for key in ("learning_rate", "learning_rate_final"):
            value = getattr(self, key)
            if value is not None and not value > 0:
                raise ConfigError(f"policy.{key}: must be > 0, got {value}")
        for key in ("select_top", "select_episodes"):
            if getattr(self, key) < 1:
                raise ConfigError(f"policy.{key}: must be ≥ 1, got {getattr(self, key)}")


@dataclass
class EvalConfig:
    """The final evaluation of the best policy (``lbw evaluate``)."""

    episodes: int = 50  # episodes, seeds 10_000 + i (never used in training)
    record: int = 2  # episodes written as side-by-side videos


def _check_choice(key: str, what: str, value: str, choices: tuple[str, ...]) -> None:
    """A config value that must be one of ``choices``: a ConfigError naming the key otherwise."""
    if value not in choices:
        raise ConfigError(f"{key}: unknown {what} {value!r}; choose from {', '.join(choices)}")


@dataclass
class RunConfig:
    """One run: a task learned by one method from one demonstration clip."""

    task: str = "push"  # reach | push | slide | drawer_close | coffee_push
    method: str = "lbw"  # lbw | lbw_cyclegan | no_translation | pixel | robot_demo | oracle | random
    demo: str | None = None  # human clip; default videos/TASK_human.mp4
    robot_demo: str | None = None  # paired robot clip (method robot_demo); default videos/TASK_robot.mp4
    # how the demo is timed against the episode: pace (still frames skipped, the motion replayed
    # at the robot's pace; lbw.policy.reference) | uniform (the whole clip stretched onto it)
    alignment: str = "pace"
    name: str | None = None  # run folder name; default METHOD_seedSEED
    root: str = "runs"  # runs go to ROOT/TASK/NAME; shared perception stages to ROOT/TASK/stages
    data: DataConfig = field(default_factory=DataConfig)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    keypoints: KeypointsConfig = field(default_factory=KeypointsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def __post_init__(self) -> None:
        _check_choice("task", "task", self.task, TASKS)
        _check_choice("method", "method", self.method, METHODS)
        _check_choice("policy.keypoint_reward", "norm", self.policy.keypoint_reward, KEYPOINT_REWARDS)
        _check_choice("alignment", "alignment", self.alignment, ALIGNMENTS)

    @property
    def demo_clip(self) -> Path:
        return Path(self.demo or f"videos/{self.task}_human.mp4")

    @property
    def robot_demo_clip(self) -> Path:
        return Path(self.robot_demo or f"videos/{self.task}_robot.mp4")

    @property
    def run_dir(self) -> Path:
        return Path(self.root) / self.task / (self.name or f"{self.method}_seed{self.policy.seed}")

    @property
    def translator_model(self) -> str | None:
        """The translator a method uses: ``"munit"``, ``"cyclegan"`` or None."""
        return {"lbw": "munit", "pixel": "munit", "lbw_cyclegan": "cyclegan"}.get(self.method)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def config_hash(*parts: Any) -> str:
    """A short, stable digest of JSON-serialisable parts: what a cached stage was made from."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def from_dict(cls: type, values: dict[str, Any], prefix: str = "") -> Any:
    """Build dataclass ``cls`` from a nested dict, naming any key it does not have."""
    if not isinstance(values, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a mapping, got {values!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"unknown config key '{prefix}{key}'; known keys: {', '.join(sorted(fields))}")
        nested = fields[key].type
        nested_cls = _DATACLASSES.get(nested if isinstance(nested, str) else getattr(nested, "__name__", ""))
        if nested_cls:
            kwargs[key] = from_dict(nested_cls, value, f"{prefix}{key}.")
        else:
            _check_type(fields[key], value, f"{prefix}{key}")
            kwargs[key] = value
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ConfigError(f"{prefix or 'config'}: {error}") from error


def apply_override(values: dict[str, Any], override: str) -> None:
    """Set ``"policy.seed=1"`` into a nested dict; the value is parsed as YAML."""
    if "=" not in override:
        raise ConfigError(f"override {override!r} must look like key=value (e.g. policy.seed=1)")
    key, raw = override.split("=", 1)
    *parents, leaf = key.strip().split(".")
    node = values
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {override!r}: {part!r} is not a section")
    node[leaf] = _parse_yaml(raw)


def task_config(task: str) -> RunConfig:
    """The config ``lbw run configs/TASK.yaml`` runs (read from ``configs/`` under the working
    directory), or the defaults for ``task`` where there is no such file."""
    path = Path("configs") / f"{task}.yaml"
    return load_config(path) if path.is_file() else RunConfig(task=task)


def load_config(
    path: str | os.PathLike | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> RunConfig:
    """A ``RunConfig`` from a YAML file (or defaults) and ``key=value`` overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        try:
            values = _parse_yaml(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML ({error})") from error
    for override in overrides:
        apply_override(values, override)
    return from_dict(RunConfig, values)


def _check_type(f: dataclasses.Field, value: Any, key: str) -> None:
    """Reject a value of the wrong kind (``policy.total_steps: ten``) before any work starts,
    and before a dataclass's own checks compare it with numbers."""
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    if value is None and "None" in str(f.type):
        return
    # An optional key (``int | None``) is checked against the type it names first.
    expected = _TYPES[str(f.type).split()[0]] if default is None else type(default)
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise ConfigError(f"{key}: expected {expected.__name__}, got {value!r}")


_TYPES = {"int": int, "float": float, "str": str, "bool": bool}
_DATACLASSES = {
    c.__name__: c for c in (DataConfig, TranslatorConfig, KeypointsConfig, PolicyConfig, EvalConfig)
}
