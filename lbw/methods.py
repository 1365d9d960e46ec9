"""What each method of the comparison is: the one table config, stages, policy and evaluation read.

    from lbw.methods import get_method, method_names
    get_method("pixel")   # Method(name='pixel', clip='human', translator='munit', reward='pixels', …)
    method_names()        # ('lbw', 'lbw_cyclegan', 'no_translation', 'pixel', 'robot_demo', 'oracle', …)

| method           | reference clip                | reward                        | observation            |
|------------------|-------------------------------|-------------------------------|------------------------|
| `lbw`            | human clip, MUNIT-translated  | keypoint distance             | keypoints + phase      |
| `lbw_cyclegan`   | human clip, CycleGAN          | keypoint distance             | keypoints + phase      |
| `no_translation` | human clip as it is           | keypoint distance             | keypoints + phase      |
| `pixel`          | human clip, MUNIT-translated  | pixel distance                | keypoints + phase      |
| `robot_demo`     | the paired robot clip         | keypoint distance             | keypoints + phase      |
| `oracle`         | —                             | dense reward on ground truth  | ground truth + phase   |
| `replay`         | — (not learned: the demonstrator's actions of the demo clip replayed open loop) |
| `random`         | — (not learned: uniform random actions)                                         |

A variant is one ``register_method`` call (e.g. a keypoint reward against a CycleGAN-translated
robot clip); every config, command and report then knows its name.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIPS = ("human", "robot")  # the run's demo clip, or its paired robot clip (robot_demo)
TRANSLATORS = ("munit", "cyclegan")
REWARDS = ("keypoints", "pixels", "dense", "none")


@dataclass(frozen=True)
class Method:
    """One way to learn a task.

    Attributes:
        name: the config's ``method``.
        clip: the clip rewarded against (``"human"``: ``demo``; ``"robot"``: ``robot_demo``), or
            None for a method on ground truth (no clip, no perception models).
        translator: the translator the clip goes through first (``"munit"``, ``"cyclegan"``) or None.
        reward: ``"keypoints"`` (distance to the clip's keypoints), ``"pixels"`` (to its frames),
            ``"dense"`` (the task's shaped reward on ground truth) or ``"none"``.
        fixed_policy: a policy that is not learned, as ``"module:function"`` of
            ``(env, config) -> act`` (``act(observation) -> action``); None: SAC learns one.
    Methods with a clip observe keypoints (+ phase); the others ground truth (+ phase).
    """

    name: str
    clip: str | None
    translator: str | None
    reward: str
    fixed_policy: str | None = None

    def __post_init__(self) -> None:
        if self.clip not in (*CLIPS, None) or self.translator not in (*TRANSLATORS, None):
            raise ValueError(
                f"method {self.name!r}: clip in {CLIPS} or None, translator in {TRANSLATORS} or None"
            )
        if self.reward not in REWARDS:
            raise ValueError(f"method {self.name!r}: reward in {REWARDS}")
        if (self.clip is None) != (self.reward in ("dense", "none")):
            raise ValueError(f"method {self.name!r}: a clip goes with a keypoint or pixel reward")
        if self.translator and self.clip is None:
            raise ValueError(f"method {self.name!r}: a translator needs a clip to translate")

    @property
    def learns(self) -> bool:
        """Whether SAC trains a policy (False for a fixed policy: ``replay``, ``random``)."""
        return self.fixed_policy is None

    @property
    def perceives(self) -> bool:
        """Whether it needs the keypoint detector (and observes keypoints)."""
        return self.clip is not None


_METHODS: dict[str, Method] = {}


def register_method(method: Method) -> Method:
    """Add a method (the same one again is a no-op; another under a taken name, an error)."""
    if _METHODS.get(method.name, method) != method:
        raise ValueError(f"method {method.name!r} is already registered as {_METHODS[method.name]}")
    _METHODS[method.name] = method
    return method


def get_method(name: str) -> Method:
    if name not in _METHODS:
        raise ValueError(f"unknown method {name!r}; choose from {', '.join(_METHODS)}")
    return _METHODS[name]


def method_names() -> tuple[str, ...]:
    """Every registered method, in registration order (the order of tables and plots)."""
    return tuple(_METHODS)


for _method in (
    Method("lbw", "human", "munit", "keypoints"),
    Method("lbw_cyclegan", "human", "cyclegan", "keypoints"),
    Method("no_translation", "human", None, "keypoints"),
    Method("pixel", "human", "munit", "pixels"),
    Method("robot_demo", "robot", None, "keypoints"),
    Method("oracle", None, None, "dense"),
    Method("replay", None, None, "none", fixed_policy="lbw.policy.methods:replay_policy"),
    Method("random", None, None, "none", fixed_policy="lbw.policy.methods:random_policy"),
):
    register_method(_method)
