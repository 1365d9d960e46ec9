"""``TabletopEnv``: the gymnasium environment every task derives from.

    import gymnasium as gym
    from lbw import envs  # registers the lbw/* ids

    env = gym.make("lbw/Push-v0", embodiment="human", obs_mode="pixels", render_mode="rgb_array")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.unwrapped.scripted_action())
    info["is_success"], info["positions"]["block"], info["pixels"]["block"]

A task subclass builds its objects, randomises them on reset, names the points worth tracking
(effector, objects, goal), says when it succeeded, and carries a scripted demonstrator. The
base class owns the physics client, the embodiment, control, observation, rendering and info.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from lbw.envs.appearance import Appearance, appearance_from
from lbw.envs.embodiment import EMBODIMENTS, Embodiment
from lbw.envs.scene import PHYSICS_HZ, PLANKS, Camera, build_room, connect, cylinder, recolour, render

SimState = dict[str, np.ndarray]
"""A snapshot of the scene, keyed by name: ``"effector"`` → position (3,); a free object →
position + quaternion (7,); an articulated part → joint position (1,)."""

OBS_MODES = ("state", "pixels")
SHADOW_Z = 0.0045  # m, centre height of the effector's blob shadow (1 mm thick)
STATE_BOUND = 3.0  # m: the room (a dropped object lands on the floor, 0.8 m below the table)


class TabletopEnv(gym.Env):
    """A tabletop task for one embodiment, controlled by end-effector position deltas.

    Args:
        embodiment: ``"robot"`` (arm + parallel gripper) or ``"human"`` (arm + hand), each in
            its own scene style; objects, their placement and the camera are shared.
        image_size: side of the square rendered frame, pixels.
        obs_mode: ``"state"`` — ground-truth points (effector, objects, goal), float32
            (3 · n_points,), metres; or ``"pixels"`` — the rendered frame, uint8 (H, W, 3).
        render_mode: ``None`` or ``"rgb_array"``.
        appearance: the human demonstrator's and room's look (``lbw.envs.appearance``): None or
            ``"default"`` (the shipped clips' look), a preset name, an int seed (a look drawn
            from the training ranges) or an ``Appearance``; human embodiment only.
            ``reset(options={"appearance": …})`` changes it for the next episodes.
        starts: ``"default"`` — the effector and the task's objects start within ±1.5–2 cm of
            their nominal places (the demo clips' spread); ``"wide"`` — ``WIDE_SPREAD`` times
            wider (each task sets it so that replaying the demo open loop mostly fails).

    Action: float32 (3,) in [-1, 1] — the effector displacement (dx, dy, dz) in units of
    ``ACTION_SCALE`` metres, clipped to the workspace. Reward: a hand-designed dense reward on
    ground truth (the oracle's; learning-from-video wrappers replace it). Episodes end only by
    the time limit set at registration.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 30}
    # Bumped when the scene's look changes, so that cached datasets of an old look are not
    # reused. 2: the effector's shadow.
    LOOK_VERSION: ClassVar[int] = 2

    SUBSTEPS = PHYSICS_HZ // 30  # physics steps per env step: control at 30 Hz
    ACTION_SCALE = 0.02  # m per env step at |action| = 1
    WORKSPACE_LOW = np.array([-0.30, -0.22, 0.04])
    WORKSPACE_HIGH = np.array([0.30, 0.26, 0.30])
    MAX_LAG = 0.03  # m the commanded position may run ahead of a blocked effector
    STARTS = ("default", "wide")
    WIDE_SPREAD: ClassVar[float] = 3.0  # the start spread of starts="wide", × the default's

    def __init__(
        self,
        embodiment: str = "robot",
        image_size: int = 64,
        obs_mode: str = "state",
        render_mode: str | None = None,
        appearance: Appearance | str | int | None = None,
        starts: str = "default",
    ) -> None:
        if embodiment not in EMBODIMENTS:
            raise ValueError(f"embodiment must be one of {sorted(EMBODIMENTS)}, got {embodiment!r}")
        if obs_mode not in OBS_MODES:
            raise ValueError(f"obs_mode must be one of {OBS_MODES}, got {obs_mode!r}")
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        if starts not in self.STARTS:
            raise ValueError(f"starts must be one of {self.STARTS}, got {starts!r}")
        if not isinstance(image_size, int) or not 8 <= image_size <= 1024:
            raise ValueError(f"image_size must be an int in [8, 1024], got {image_size!r}")
        self.embodiment_name = embodiment
        self.image_size = image_size
        self.obs_mode = obs_mode
        self.render_mode = render_mode
        # × every start range of the task (1: the default; the draws are then the same as ever)
        self.spread = 1.0 if starts == "default" else self.WIDE_SPREAD
        if appearance is not None and embodiment != "human":
            raise ValueError("appearance applies to the human embodiment only (the robot has one look)")
        self.camera = Camera()
        self._spec = EMBODIMENTS[embodiment]
        self.style = self._spec.style
        # Filled by ``_build_objects``: the bodies and joints a ``SimState`` snapshot covers.
        self.free_bodies: dict[str, int] = {}
        self.joints: dict[str, tuple[int, int]] = {}

        self.client = connect()
        self._room = build_room(self.client, self._spec.style)
        self._build_objects()
        self.embodiment = Embodiment(self.client, self._spec, self.effector_start())
        self.appearance: Appearance | None = None
        if embodiment == "human":
            self.set_appearance(appearance)
        # A dark disc on the table straight under the effector, for both embodiments: one
        # camera cannot tell where along its ray the effector is; its shadow on the table can.
        self._shadow = self._build_shadow()

        self.action_space = spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)
        if obs_mode == "pixels":
            self.observation_space = spaces.Box(0, 255, (image_size, image_size, 3), np.uint8)
        else:
            n = 3 * len(self.point_names())
            self.observation_space = spaces.Box(-STATE_BOUND, STATE_BOUND, (n,), np.float32)
        self._target = self.embodiment.position()
        self._frame: np.ndarray | None = None
        # The whole simulator state, contact caches included: restoring it on reset makes a
        # seeded episode replay exactly, whatever the previous episode did.
        self._pristine = self.client.saveState()

    # ------------------------------------------------------------------------ task interface
    @abstractmethod
    def _build_objects(self) -> None:
        """Create the task's bodies (called once, before the embodiment)."""

    @abstractmethod
    def _reset_task(self, rng: np.random.Generator) -> None:
        """Place the objects for a new episode; small randomisation only."""

    @abstractmethod
    def task_points(self) -> dict[str, np.ndarray]:
        """Named world points (3,) of the objects and goal, in a fixed order."""

    @abstractmethod
    def is_success(self) -> bool:
        """Ground-truth task success in the current state."""

    @abstractmethod
    def goal_distance(self) -> float:
        """The ground-truth quantity success thresholds (m): effector to target, object to goal,
        drawer opening. Reported in ``info`` for evaluation."""

    @abstractmethod
    def dense_reward(self) -> float:
        """A hand-designed shaped reward on ground truth (≤ 0 away from success)."""

    @abstractmethod
    def scripted_action(self) -> np.ndarray:
        """The scripted demonstrator's action (3,) in [-1, 1], from ground truth."""

    def _forget_contacts(self) -> None:
        """Drop the contact caches of the last episode (``restoreState`` keeps them, and their
        warm-start impulses would make a seeded episode depend on the one before): lift every
        moving body apart so that the broadphase discards its contact pairs."""
        movers = [self.embodiment.effector_id, *self.free_bodies.values()]
        movers += list(dict.fromkeys(body for body, _ in self.joints.values()))
        for i, body in enumerate(movers):
            self.client.resetBasePositionAndOrientation(body, (10.0 * (i + 1), 0.0, 10.0), (0, 0, 0, 1))
        self.client.performCollisionDetection()

    def _build_shadow(self) -> int:
        # Above flat markers (4 mm) so that it falls on them too; purely visual.
        dark = (0.12, 0.12, 0.12, 1.0)
        return cylinder(self.client, 0.02, 0.001, (0.0, 0.0, SHADOW_Z), dark, collide=False)

    def effector_start(self) -> np.ndarray:
        """Nominal effector position at reset, m."""
        return np.array([-0.05, 0.14, 0.14])

    # ----------------------------------------------------------------------------- gymnasium
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        if options and "appearance" in options:
            self.set_appearance(options["appearance"])
        self._forget_contacts()
        self.client.restoreState(self._pristine)
        rng = self.np_random
        start = self.effector_start() + rng.uniform(-0.02, 0.02, size=3) * self.spread
        self.embodiment.teleport(start)
        self._target = start.copy()
        self._reset_task(rng)
        self._frame = None
        return self._observation(), self._info()

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        action = np.asarray(action, dtype=np.float64).reshape(-1)
        if action.shape != (3,) or not np.all(np.isfinite(action)):
            raise ValueError(f"action must be 3 finite numbers, got {action!r}")
        effector = self.embodiment.position()
        target = self._target + np.clip(action, -1.0, 1.0) * self.ACTION_SCALE
        target = np.clip(target, effector - self.MAX_LAG, effector + self.MAX_LAG)
        target = np.clip(target, self.WORKSPACE_LOW, self.WORKSPACE_HIGH)
        start = self.embodiment.pivot
        for k in range(1, self.SUBSTEPS + 1):
            self.embodiment.drive(start + (target - start) * k / self.SUBSTEPS)
            self.client.stepSimulation()
        self._target = target
        self._frame = None
        return self._observation(), self.dense_reward(), False, False, self._info()

    def render(self) -> np.ndarray | None:
        """The current frame, uint8 (image_size, image_size, 3); rendered once per step."""
        if self.render_mode is None and self.obs_mode != "pixels":
            return None
        if self._frame is None:
            self._frame = self.render_frame()
        return self._frame

    def render_frame(self, width: int | None = None) -> np.ndarray:
        """Pose the arm and render a new frame, uint8 (image_size, image_size, 3), uncached;
        ``width`` > image_size renders a wider view whose centre square is the usual frame."""
        self.embodiment.pose_arm()
        x, y, _ = self.embodiment.position()
        self.client.resetBasePositionAndOrientation(self._shadow, (x, y, SHADOW_Z), (0, 0, 0, 1))
        return render(self.client, self.camera, self.style, self.image_size, width)

    def set_appearance(self, appearance: Appearance | str | int | None) -> Appearance:
        """Dress the human and the room in a look (see the class docstring); returns it."""
        if self.embodiment_name != "human":
            raise ValueError("appearance applies to the human embodiment only (the robot has one look)")
        look = appearance_from(appearance)
        self.style = look.scene_style()
        for name, rgba in (
            ("table", self.style.table_rgba),
            ("wall", self.style.wall_rgba),
            ("floor", self.style.floor_rgba),
        ):
            recolour(self.client, self._room[name], rgba)
        recolour(self.client, self._room["table_stripe"], self.style.table_stripe_rgba, shapes=PLANKS)
        self.embodiment.dress(look)
        self.appearance = look
        self._frame = None
        return look

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.embodiment.close()
            self.client.disconnect()
            self.client = None

    # ------------------------------------------------------------------------------- helpers
    def point_names(self) -> list[str]:
        return ["effector", *self.task_points()]

    def points(self) -> dict[str, np.ndarray]:
        """Ground-truth world points (3,), m: the effector first, then the task's."""
        return {"effector": self.embodiment.position(), **self.task_points()}

    def get_state(self) -> SimState:
        """Snapshot of the task's objects (see ``SimState``), the effector excluded."""
        state: SimState = {}
        for name, body in self.free_bodies.items():
            pos, orn = self.client.getBasePositionAndOrientation(body)
            state[name] = np.array([*pos, *orn])
        for name, (body, joint) in self.joints.items():
            state[name] = np.array([self.client.getJointState(body, joint)[0]])
        return state

    def set_state(self, state: SimState) -> None:
        """Restore the objects of a ``get_state`` snapshot, at rest."""
        for name, body in self.free_bodies.items():
            self.place(body, state[name][:3], state[name][3:])
        for name, (body, joint) in self.joints.items():
            self.client.resetJointState(body, joint, float(state[name][0]), 0.0)

    def place(self, body: int, position, orientation=(0.0, 0.0, 0.0, 1.0)) -> None:
        """Put a free body at a pose (m, quaternion) at rest."""
        self.client.resetBasePositionAndOrientation(body, list(position), list(orientation))
        self.client.resetBaseVelocity(body, (0, 0, 0), (0, 0, 0))

    def full_state(self) -> SimState:
        """The whole scene: the effector position and every object."""
        return {"effector": self.embodiment.position(), **self.get_state()}

    def set_full_state(self, state: SimState) -> None:
        """Pose the scene kinematically (for replaying a trajectory in another embodiment)."""
        self.embodiment.teleport(state["effector"])
        self._target = np.asarray(state["effector"], dtype=np.float64)
        self.set_state({k: v for k, v in state.items() if k != "effector"})
        self._frame = None

    def _observation(self) -> np.ndarray:
        if self.obs_mode == "pixels":
            return self.render()
        state = np.concatenate(list(self.points().values())).astype(np.float32)
        return np.clip(state, -STATE_BOUND, STATE_BOUND)

    def _info(self) -> dict[str, Any]:
        points = self.points()
        names = list(points)
        pixels = self.camera.project(np.stack([points[n] for n in names]), self.image_size)
        return {
            "is_success": bool(self.is_success()),
            "goal_distance": float(self.goal_distance()),
            "positions": points,
            "pixels": {n: pixels[i] for i, n in enumerate(names)},
        }

    def move_toward(self, target: np.ndarray, speed: float = 1.0) -> np.ndarray:
        """Action that moves the effector toward ``target`` (m) at most ``speed`` of full speed."""
        delta = (np.asarray(target) - self.embodiment.position()) / self.ACTION_SCALE
        norm = np.abs(delta).max()
        if norm > speed:
            delta *= speed / norm
        return delta.astype(np.float32)
