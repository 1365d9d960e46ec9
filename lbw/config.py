"""Run configuration: typed dataclasses, one per stage, composed into ``RunConfig``.

    from lbw.config import load_config
    config = load_config("configs/push.yaml", overrides=["policy.seed=1", "method=oracle"])
    config.policy.total_steps  # 60000

A YAML file holds any subset of the keys below (defaults fill the rest); ``key=value``
overrides use dotted paths and YAML values. A key that does not exist is an error naming it.

Paths: the files a config file names (clips, checkpoints, ``imports`` ending in ``.py``) are
relative to that file's folder, so a config works from any working folder; paths given as
overrides are relative to the working folder, as typed; outputs (``root``) go under the working
folder. A run's saved ``config.yaml`` holds the resolved paths.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import importlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import yaml

from lbw.envs import TabletopEnv, registered_tasks
from lbw.envs.appearance import PRESETS, VARIED
from lbw.methods import Method, get_method, method_names
from lbw.shipped import near, shipped_path

KEYPOINT_REWARDS = ("l2", "per_keypoint")  # norms of the keypoint reward (lbw.policy.KeypointReward)
ALIGNMENTS = ("pace", "uniform")  # how a demo is timed against the episode (lbw.policy.reference)
DEMO_CHECKS = ("warn", "refuse", "off")  # what a run does with a clip check-demo flags (lbw.preflight)


class _YamlLoader(yaml.SafeLoader):
    """YAML 1.1 as PyYAML reads it, plus floats written without a dot (``3e-5``, which YAML 1.1
    leaves a string)."""


_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text: str) -> Any:
    """A value or document as configs read it (YAML 1.1 with ``3e-5`` a float)."""
    return yaml.load(text, Loader=_YamlLoader)


class ConfigError(ValueError):
    """A configuration that names an unknown key or holds a value of the wrong kind or range."""


@dataclass(frozen=True)
class Bounds:
    """The range a numeric config value must lie in (``None``: unbounded on that side)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the low end itself excluded (``> 0`` rather than ``≥ 0``)

    def contains(self, value: float) -> bool:
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        return above and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            return f"in {'(' if self.low_open else '['}{self.low}, {self.high}]"
        if self.low is not None:
            return f"{'>' if self.low_open else '≥'} {self.low}"
        return f"≤ {self.high}"


def setting(
    default: Any, low: float | None = None, high: float | None = None, above: float | None = None
) -> Any:
    """A config field whose value (each item, for a list) must be ≥ ``low`` (or > ``above``)
    and ≤ ``high``: checked when a config is built, shown by ``lbw run --help``."""
    bounds = Bounds(above if above is not None else low, high, low_open=above is not None)
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"bounds": bounds})
    return field(default=default, metadata={"bounds": bounds})


def choice(default: str, choices: tuple[str, ...] | Callable[[], tuple[str, ...]], what: str) -> Any:
    """A config field whose value must be one of ``choices`` (a ``what``: ``unknown what 'x'``;
    a function of none for a set that grows, like the registered tasks), checked when a config
    is built and listed by ``lbw run --help``."""
    return field(default=default, metadata={"choices": choices, "what": what})


def input_file() -> Any:
    """A config field naming a file to read (a clip, a checkpoint), or None: relative to the
    config file's folder when written in one (see the module docstring)."""
    return field(default=None, metadata={"path": True})


def input_files() -> Any:
    """A config field naming a list of files to read (default none), each relative as
    ``input_file``'s."""
    return field(default_factory=list, metadata={"path": True})


def _choices(f: dataclasses.Field) -> tuple[str, ...]:
    choices = f.metadata.get("choices", ())
    return choices() if callable(choices) else choices


COUNT, SEED = {"low": 1}, {"low": 0}  # the two most common ranges


class _Section:
    """A config section: every field is checked for type and range when the section is built
    (from YAML or by a library caller), then ``check`` adds the rules that span several keys."""

    prefix: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if not isinstance(getattr(self, f.name), _Section):
                _check_value(f, getattr(self, f.name), self.prefix + f.name)
        self.check()

    def check(self) -> None:
        """Rules between keys (a ConfigError naming them); none by default."""


@dataclass
class DataConfig(_Section):
    """Unpaired frame datasets for the perception models (``lbw collect``)."""

    prefix: ClassVar[str] = "data."
    frames: int = setting(5000, **COUNT)  # frames per embodiment
    seed: int = setting(0, **SEED)  # collection seed
    # human frames' look: a name of lbw.envs.appearance.VARIED (varied: a new demonstrator and
    # room per episode from the training ranges; varied_tables, varied_rooms: wider ranges, `lbw
    # collect --help`) | default (the shipped clips' look) | a held-out preset's name
    human_appearance: str = choice("varied", (*VARIED, *PRESETS), "appearance")
    # share of episodes in which the scripted demonstrator acts with light noise (the rest: heavy
    # noise or random waypoints), so that the frames show the goal states too (slide's puck at rest
    # on its goal, which heavy noise seldom gets to)
    quiet_demos: float = setting(0.0, low=0, high=1)
    # where the collection episodes start (as the run key starts): wide shows the perception
    # models objects and effector where wide-start episodes put them
    starts: str = choice("default", TabletopEnv.STARTS, "starts")

    @property
    def selection_frames(self) -> int:
        """Frames per embodiment that no model trains on (``lbw.stages.selection_frames``): a
        quarter of ``frames``, at least 2."""
        return max(self.frames // 4, 2)


SELECT_ON = ("frames", "clip")


@dataclass
class TranslatorConfig(_Section):
    """The human → robot translator (``lbw train-translator``)."""

    prefix: ClassVar[str] = "translator."
    # a translator.pt of the method's model, used instead of training one
    checkpoint: str | None = input_file()
    # more translator.pt files of that model: where lbw check-demo's gap check flags checkpoint's
    # translation of a run's clip (a lost arm), the run translates it with whichever of them all
    # has the smallest unpaired keypoint gap instead, so a clip of a room one model never saw can
    # use another that did (lbw.stages.alternatives_choice); []: checkpoint alone. Companions of
    # checkpoint: a run that trains its translator (checkpoint: null) does not use them
    alternatives: list[str] = input_files()
    iterations: int = setting(4000, **COUNT)  # generator + discriminator updates
    batch_size: int = setting(4, **COUNT)  # frames per domain per update
    width: int = setting(16, **COUNT)  # first conv width; the networks scale with it
    seed: int = setting(0, **SEED)
    # weight of the keypoint prior (lbw.translation.keypoint_prior): a discriminator on the robot
    # keypoint detector's keypoints of translated frames, so that a translation keeps the arm; 0: off
    keypoint_prior: float = setting(1.0, low=0)
    # strength of a colour jitter of the human frames in training (hue turned by up to ±180°·s,
    # brightness scaled by 1 ± s/2; lbw.translation.augment); 0: none
    colour_jitter: float = setting(0.0, low=0, high=1)
    # Translate with the snapshot (one per 500 updates) whose translated human frames give
    # keypoints nearest the robot's in distribution (unpaired keypoint gap), among those that
    # keep the pose on a robot → human → robot round trip (lbw.keypoints.gap); false: the last one.
    select: bool = True
    # what the gap that chooses the snapshot is measured on: frames, held-out human frames of the
    # training looks (one snapshot for every run); clip, the run's own demo clip translated (per
    # clip: a demonstrator the training looks did not show is judged on their own frames)
    select_on: str = choice("frames", SELECT_ON, "translator.select_on")
    # trainings with seeds seed, seed + 1, …, each its own stage; the snapshot with the smallest
    # unpaired keypoint gap among all of them is used (a fresh training can miss the arm)
    restarts: int = setting(1, **COUNT)
    # translate with the consensus of the snapshots of the second half of every training
    # (lbw.translation.consensus): per frame, the one whose keypoints lie nearest the median of
    # all's; instead of one chosen snapshot (select, select_on are then unused)
    consensus: bool = False

    def check(self) -> None:
        if self.restarts > 1 and not self.select:
            raise ConfigError(
                "translator.restarts > 1 picks a training by its gap: it needs translator.select: true"
            )
        if self.select_on == "clip" and not self.select:
            raise ConfigError(
                "translator.select_on: clip chooses a snapshot: it needs translator.select: true"
            )
        if self.consensus and self.checkpoint is not None:
            raise ConfigError(
                "translator.consensus combines the snapshots of the config's own trainings: "
                "set translator.checkpoint: null"
            )
        if self.consensus and self.select_on == "clip":
            raise ConfigError(
                "translator.consensus translates with no one chosen snapshot: drop select_on: clip"
            )
        if self.select_on == "clip" and self.checkpoint is not None:
            raise ConfigError(
                "translator.select_on: clip chooses among the snapshots of the config's own trainings: "
                "set translator.checkpoint: null"
            )


@dataclass
class KeypointsConfig(_Section):
    """The Transporter keypoint detector (``lbw train-keypoints``)."""

    prefix: ClassVar[str] = "keypoints."
    checkpoint: str | None = input_file()  # a trained transporter.pt to use instead of training one
    iterations: int = setting(2500, **COUNT)  # gradient steps
    batch_size: int = setting(16, **COUNT)  # frame pairs per step
    num_keypoints: int = setting(6, **COUNT)  # K
    width: int = setting(16, **COUNT)  # first conv width
    seed: int = setting(0, **SEED)


@dataclass
class PolicyConfig(_Section):
    """Soft Actor-Critic (stable-baselines3) on the method's reward."""

    prefix: ClassVar[str] = "policy."
    total_steps: int = setting(60_000, **COUNT)  # env steps
    # replay capacity in transitions; null: total_steps (all of them)
    buffer_size: int | None = setting(None, **COUNT)
    learning_starts: int = setting(1000, low=0)  # env steps of random actions before the first update
    batch_size: int = setting(128, **COUNT)  # transitions per gradient step
    gamma: float = setting(0.97, low=0, high=1)  # discount
    learning_rate: float = setting(3e-4, above=0)
    # learning rate at total_steps, reached linearly from learning_rate (null: constant):
    # small late steps keep a learned push from being unlearned between evaluations
    learning_rate_final: float | None = setting(None, above=0)
    net_arch: list[int] = setting([64, 64], **COUNT)  # hidden sizes of actor and critics
    # env steps between updates (2 keeps training ≥ 100 env steps/s on 2 CPU cores)
    train_freq: int = setting(2, **COUNT)
    gradient_steps: int = setting(1, **COUNT)  # gradient steps per update
    # training envs stepped side by side in subprocesses (1: one env, in this process); the
    # updates per env step (gradient_steps / train_freq) stay what they are with one env
    n_envs: int = setting(1, **COUNT)
    # the envs step in subprocesses while the learner does its gradient steps (the next
    # actions then come from the policy one update earlier): 1.24× env steps/s on push on 2
    # cores, 1.52× with n_envs=2 (docs/benchmarks.md)
    overlap_updates: bool = False
    n_steps: int = setting(3, **COUNT)  # n-step returns for the critic's target (1: plain one-step TD)
    # SAC's entropy target (nats per step) that tunes its temperature; null: −(action dims), SB3's
    # "auto". Lower: training samples actions nearer the mean (docs/demonstrators.md, slide)
    target_entropy: float | None = None
    # env steps under SB3's "auto" target before target_entropy applies: find a skill with wide
    # sampling, then hold it with narrow (0: target_entropy from the start)
    target_entropy_from: int = setting(0, low=0)
    # σ of Ornstein-Uhlenbeck noise added to the training actions (0: none, SAC's own sampling
    # only): it drifts over an episode, so the arm wanders whole centimetres, not jitters
    action_noise: float = setting(0.0, low=0)
    # probability per env step of an excursion: a random action push held for 5–20 steps (0: none;
    # excludes action_noise)
    excursions: float = setting(0.0, low=0, high=1)
    # env steps during which action_noise or excursions apply, then plain SAC (null: all of
    # training): exploration to escape a trap early, none to refine the skill late
    exploration_steps: int | None = setting(None, low=0)
    proprioception: bool = False  # also observe the effector position (the arm's own state)
    # keypoint reward: l2 (‖z − zᴱ‖ over all keypoints) | per_keypoint (Σ_k ‖z_k − zᴱ_k‖ / √K)
    keypoint_reward: str = choice("l2", KEYPOINT_REWARDS, "norm")
    eval_every: int = setting(5000, **COUNT)  # env steps between evaluations (the best one is kept)
    eval_episodes: int = setting(20, **COUNT)  # episodes per evaluation during training
    # The select_top best-evaluated models are re-scored on select_episodes validation episodes
    # at the end and the best kept (1: the best training evaluation is kept as it is)
    select_top: int = setting(1, **COUNT)
    select_episodes: int = setting(50, **COUNT)
    checkpoint_every: int = setting(10_000, **COUNT)  # env steps between resumable checkpoints
    seed: int = setting(0, **SEED)

    def check(self) -> None:
        if self.target_entropy_from > 0 and self.target_entropy is None:
            raise ConfigError(
                "policy.target_entropy_from needs policy.target_entropy (null keeps SB3's auto)"
            )
        if self.excursions > 0 and self.action_noise > 0:
            raise ConfigError("policy.action_noise and policy.excursions: choose one (set the other to 0)")
        self.update_schedule()  # raises if n_envs cannot keep the update ratio

    def busy_processes(self) -> int:
        """Processes a training keeps busy at once: the learner, or its ``n_envs`` subprocess
        envs (which step while it waits), plus the learner when it updates while they step."""
        return self.n_envs + int(self.overlap_updates)

    def update_schedule(self) -> tuple[int, int]:
        """SB3's ``(train_freq, gradient_steps)`` counted in steps of all ``n_envs`` envs at
        once, for the same gradient steps per env step as ``train_freq`` / ``gradient_steps``
        give one env: (2, 1) with 2 envs is an update after every step of both, (1, 1)."""
        vec_freq = max(1, self.train_freq // self.n_envs)
        steps = Fraction(self.gradient_steps * vec_freq * self.n_envs, self.train_freq)
        if steps.denominator != 1:
            raise ConfigError(
                f"policy.n_envs={self.n_envs} cannot keep {self.gradient_steps} gradient step(s) per "
                f"{self.train_freq} env steps: choose n_envs dividing train_freq, or a multiple of it"
            )
        return vec_freq, int(steps)


@dataclass
class EvalConfig(_Section):
    """The final evaluation of the best policy (``lbw evaluate``)."""

    prefix: ClassVar[str] = "eval."
    episodes: int = setting(50, **COUNT)  # episodes, seeds 10_000 + i (never used in training)
    record: int = setting(2, low=0)  # episodes written as side-by-side videos


@dataclass
class RunConfig(_Section):
    """One run: a task learned by one method from one demonstration clip."""

    # Python modules that register tasks of your own (lbw.envs.register_task), imported before
    # the config is checked: a module name, or a .py file (relative to the config file)
    imports: list[str] = field(default_factory=list, metadata={"imports": True})
    task: str = choice("push", registered_tasks, "task")
    method: str = choice("lbw", method_names, "method")  # lbw.methods
    demo: str | None = input_file()  # human clip; default: the shipped videos/TASK_human.mp4
    # paired robot clip (method robot_demo); default: the shipped videos/TASK_robot.mp4
    robot_demo: str | None = input_file()
    # where episodes start: default (the effector and objects within ±1.5–2 cm of the demo's
    # places) | wide (each task's WIDE_SPREAD times wider: replaying the demo open loop fails)
    starts: str = choice("default", TabletopEnv.STARTS, "starts")
    # how the demo is timed against the episode: pace (still frames skipped, the motion replayed
    # at the robot's pace; lbw.policy.reference) | uniform (the whole clip stretched onto it)
    alignment: str = choice("pace", ALIGNMENTS, "alignment")
    # k ≥ 1: each demo frame's keypoints replaced by the mean of the k nearest robot poses (the
    # detector's keypoints of unpaired robot frames; lbw.policy.reference.snap_to_robot): a
    # translated arm a few pixels off, a pose no robot frame shows, moves onto poses the robot
    # takes. 0: the translation's keypoints as they are. Keypoint-reward methods only
    snap_to_robot: int = setting(0, low=0)
    # a clip that lbw check-demo's checks flag (another task, a translation that lost the arm):
    # warn (print why, train anyway) | refuse (stop before the policy trains) | off (no check).
    # warn by default: the checks also flag clips that teach (the shipped reach clip: its MUNIT
    # barely moves the gripper, yet reach is learned); refuse suits sweeps of unvetted clips
    check_demo: str = choice("warn", DEMO_CHECKS, "choice")
    name: str | None = None  # run folder name; default METHOD_seedSEED
    # also log training to TensorBoard (RUN/policy/tensorboard, each stage's tensorboard/;
    # needs pip install 'lbw[tensorboard]'); log.jsonl / evaluations.jsonl are always written
    tensorboard: bool = False
    # under the working folder: runs go to ROOT/TASK/NAME; shared perception stages to ROOT/TASK/stages
    root: str = "runs"
    data: DataConfig = field(default_factory=DataConfig)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    keypoints: KeypointsConfig = field(default_factory=KeypointsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def check(self) -> None:
        if self.name is not None and (
            not self.name or Path(self.name).name != self.name or self.name == ".."
        ):
            raise ConfigError(
                f"name: a folder name without '/' (the run goes to ROOT/TASK/NAME), got {self.name!r}"
            )
        if self.snap_to_robot > self.data.selection_frames:
            raise ConfigError(
                f"snap_to_robot: the robot poses to average are the {self.data.selection_frames} "
                f"selection frames (a quarter of data.frames), fewer than k = {self.snap_to_robot}"
            )

    @property
    def demo_clip(self) -> Path:
        return Path(self.demo) if self.demo else shipped_path(f"videos/{self.task}_human.mp4")

    @property
    def robot_demo_clip(self) -> Path:
        return Path(self.robot_demo) if self.robot_demo else shipped_path(f"videos/{self.task}_robot.mp4")

    @property
    def run_dir(self) -> Path:
        return Path(self.root) / self.task / (self.name or f"{self.method}_seed{self.policy.seed}")

    @property
    def method_spec(self) -> Method:
        """What the method is (``lbw.methods``): its clip, translator, reward."""
        return get_method(self.method)

    @property
    def translator_model(self) -> str | None:
        """The translator the method uses: ``"munit"``, ``"cyclegan"`` or None."""
        return self.method_spec.translator

    @property
    def reward_clip(self) -> Path | None:
        """The clip the method rewards against (None for a method on ground truth)."""
        clip = self.method_spec.clip
        return None if clip is None else self.robot_demo_clip if clip == "robot" else self.demo_clip

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def config_hash(*parts: Any) -> str:
    """A short, stable digest of JSON-serialisable parts: what a cached stage was made from."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def from_dict(cls: type, values: dict[str, Any], prefix: str = "") -> Any:
    """Build dataclass ``cls`` from a nested dict, naming any key it does not have (values are
    checked by the sections themselves)."""
    if not isinstance(values, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a mapping, got {values!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f"did you mean '{prefix}{close[0]}'? " if close else ""
            raise ConfigError(
                f"unknown config key '{prefix}{key}'; {hint}known keys: {', '.join(sorted(fields))}"
            )
        nested = _DATACLASSES.get(str(fields[key].type))
        kwargs[key] = from_dict(nested, value, f"{prefix}{key}.") if nested else value
    return cls(**kwargs)


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
    try:
        node[leaf] = parse_yaml(raw)
    except yaml.YAMLError as error:
        raise ConfigError(f"override {override!r}: not a YAML value ({error.problem})") from error


def task_config(task: str) -> RunConfig:
    """The shipped config of a task (``configs/TASK.yaml``, what ``lbw run TASK`` runs); an error
    where there is none (other settings would be measured silently)."""
    from lbw.shipped import shipped_config

    path = shipped_config(task)
    if path is None:
        raise ConfigError(f"no shipped config for task {task!r} (pass --config)")
    return load_config(path)


def load_config(
    path: str | os.PathLike | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    paths_from: str | os.PathLike | None = None,
) -> RunConfig:
    """A ``RunConfig`` from a YAML file (or defaults) and ``key=value`` overrides.

    Relative paths in the file are resolved against ``paths_from`` (default: the file's folder;
    a run's saved config, whose paths are already resolved, passes the working folder)."""
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        try:
            values = parse_yaml(path.read_text())
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid YAML ({error})") from error
        if values is None:  # an empty file would silently run every default: say so instead
            raise ConfigError(f"{path}: the config is empty; name at least the task (e.g. task: push)")
        if not isinstance(values, dict):
            raise ConfigError(
                f"{path}: a config is a mapping of keys to values, got a {type(values).__name__}"
            )
        resolve_paths(values, Path(path.parent if paths_from is None else paths_from))
    for override in overrides:
        apply_override(values, override)
    import_modules(values.get("imports") or [])
    return from_dict(RunConfig, values)


def resolve_paths(values: dict[str, Any], base: Path, prefix: str = "") -> None:
    """Join the relative input files in ``values`` (a config's nested dict, changed in place)
    onto ``base`` (``resolve_input`` for each key)."""
    for key, value in values.items():
        if isinstance(value, dict):
            resolve_paths(value, base, f"{prefix}{key}.")
        else:
            values[key] = resolve_input(f"{prefix}{key}", value, base)


def resolve_input(key: str, value: Any, base: Path) -> Any:
    """The value of the dotted config ``key`` with the files it names (clips, checkpoints,
    ``imports`` ending in ``.py``) joined onto ``base`` when relative; the value of any other
    key, and a value of the wrong kind (left for the type checks to name), as it is."""
    f = config_fields().get(key)
    if f is None:
        return value
    if f.metadata.get("path") and isinstance(value, str) and value:
        return str(near(base / Path(value).expanduser()))
    if f.metadata.get("path") and isinstance(value, list):
        return [str(near(base / Path(v).expanduser())) if isinstance(v, str) and v else v for v in value]
    if f.metadata.get("imports") and isinstance(value, list):
        return [str(near(base / v)) if isinstance(v, str) and v.endswith(".py") else v for v in value]
    return value


def import_modules(names: list[Any]) -> list[ModuleType]:
    """Import the ``imports`` of a config (module names, or ``.py`` files) once each, so that
    the tasks they register are known before the config is checked; returns the modules."""
    modules = []
    if not isinstance(names, list):
        raise ConfigError(f"imports: expected a list of module names or .py files, got {names!r}")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"imports: expected a module name or a .py file, got {name!r}")
        try:
            if not name.endswith(".py"):
                modules.append(importlib.import_module(name))
                continue
            path = Path(name).resolve()
            module_name = "lbw_imports_" + re.sub(r"\W", "_", str(path.with_suffix("")))
            if module_name in sys.modules:
                modules.append(sys.modules[module_name])
                continue
            if not path.is_file():
                raise ConfigError(f"imports: {name}: no such file")
            if str(path.parent) not in sys.path:  # its neighbours import, as when run as a script
                sys.path.append(str(path.parent))
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
            modules.append(module)
        except ConfigError:
            raise
        except Exception as error:
            raise ConfigError(f"imports: {name} failed to import: {type(error).__name__}: {error}") from error
    return modules


def config_keys() -> list[tuple[str, Any, str]]:
    """Every config key as (dotted key, default, allowed values) — what ``lbw run --help`` lists."""
    rows = []
    for key, f in config_fields().items():
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        allowed = " | ".join(_choices(f))
        if "bounds" in f.metadata:
            kind = str(f.type).split()[0].replace("list[int]", "ints")
            allowed = f"{kind} {f.metadata['bounds']}"
            allowed += ", or null" if "None" in str(f.type) else ""
        rows.append((key, default, allowed or str(f.type).replace(" | None", " or null")))
    return rows


@functools.cache
def config_fields(cls: type | None = None, prefix: str = "") -> dict[str, dataclasses.Field]:
    """Every config key (dotted: ``policy.seed``) and its dataclass field, sections flattened."""
    fields: dict[str, dataclasses.Field] = {}
    for f in dataclasses.fields(cls or RunConfig):
        nested = _DATACLASSES.get(str(f.type))
        fields |= config_fields(nested, f"{prefix}{f.name}.") if nested else {prefix + f.name: f}
    return fields


def _check_value(f: dataclasses.Field, value: Any, key: str) -> None:
    """Reject a value of the wrong kind (``policy.total_steps: ten``) or out of its declared
    range (``policy.gamma: 2``) before any work starts."""
    if value is None and "None" in str(f.type):
        return
    kind = str(f.type).split()[0]
    if kind.startswith("list["):
        item = _TYPES[kind[5:-1]]
        if not isinstance(value, list) or not all(_is(v, item) for v in value):
            raise ConfigError(f"{key}: expected a list of {item.__name__}, got {value!r}")
        items = value
    else:
        expected = _TYPES[kind]
        if not _is(value, expected):
            raise ConfigError(f"{key}: expected {expected.__name__}, got {value!r}")
        items = [value]
    choices = _choices(f) if "choices" in f.metadata else None
    if choices is not None and value not in choices:
        raise ConfigError(f"{key}: unknown {f.metadata['what']} {value!r}; choose from {', '.join(choices)}")
    bounds = f.metadata.get("bounds")
    if bounds is not None and not all(bounds.contains(v) for v in items):
        each = " (each item)" if kind.startswith("list") else ""
        raise ConfigError(f"{key}: must be {bounds}{each}, got {value!r}")


def _is(value: Any, expected: type) -> bool:
    """``isinstance`` where a bool is no number and an int is a float."""
    if isinstance(value, bool):
        return expected is bool
    return isinstance(value, expected) or (expected is float and isinstance(value, int))


_TYPES = {"int": int, "float": float, "str": str, "bool": bool}
_DATACLASSES = {
    c.__name__: c for c in (DataConfig, TranslatorConfig, KeypointsConfig, PolicyConfig, EvalConfig)
}
