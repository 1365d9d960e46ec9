"""The two embodiments that act in the same scene: a robot arm with a parallel gripper and a
human arm (sleeved upper arm and forearm, a skin-coloured hand with fingers).

Both are built the same way, so that the two domains differ in morphology and look but not in
how they are controlled:

* the **effector** (gripper or hand) is a rigid body held by a fixed constraint whose pivot is
  moved towards the commanded position at every physics sub-step; it touches and pushes the
  objects with real contacts;
* the **arm** is a chain of visual links (no collision, no mass), posed by pybullet's inverse
  kinematics so that its last link meets the top of the effector. It is posed only when a
  frame is rendered, which keeps physics-only stepping cheap.

The effector point (the position the controller commands and ``info`` reports) is the centre
of the fingers, 3.5 cm above the fingertips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pybullet as pb
from pybullet_utils.bullet_client import BulletClient

from lbw.envs.appearance import DEFAULT, Appearance
from lbw.envs.scene import RGBA, ROBOT_STYLE, SceneStyle, connect

POINTING_DOWN = (1.0, 0.0, 0.0, 0.0)  # quaternion (x, y, z, w): the link's z axis along -z
IDENTITY = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Part:
    """One primitive of a compound body: a box (``size`` = half extents), a cylinder or a
    capsule (``size`` = (radius, length)), or a sphere (``size`` = (radius,))."""

    geom: int
    size: tuple[float, ...]
    offset: tuple[float, float, float]
    rgba: RGBA
    orientation: tuple[float, float, float, float] = IDENTITY
    role: str | None = None  # "skin", "sleeve" or "shirt": recoloured by an ``Appearance``


@dataclass(frozen=True)
class Joint:
    """A revolute joint of the visual arm and the link it moves."""

    origin: tuple[float, float, float]  # from the parent link's frame, m
    axis: tuple[float, float, float]
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class EmbodimentSpec:
    """Everything that distinguishes one embodiment from the other."""

    name: str
    style: SceneStyle
    arm_base: tuple[float, float, float]  # world position of the arm's fixed base, m
    base_parts: tuple[Part, ...]
    joints: tuple[Joint, ...]
    rest_pose: tuple[float, ...]  # joint angles (rad) the IK starts from, for a natural elbow
    effector_visual: tuple[Part, ...]
    effector_collision: tuple[Part, ...]
    effector_top: float  # height of the arm's attachment point above the effector point, m
    extra_parts: tuple[Part, ...] = field(default=())  # static decoration (a torso)
    version: int = 1  # bumped when the look changes: cached datasets of the old look are not reused


def _geometry(parts: Sequence[Part]) -> dict[str, list]:
    """The shape arguments pybullet's ``create*ShapeArray`` take, for a list of parts."""
    return {
        "shapeTypes": [p.geom for p in parts],
        "halfExtents": [p.size if p.geom == pb.GEOM_BOX else (0, 0, 0) for p in parts],
        "radii": [p.size[0] if p.geom != pb.GEOM_BOX else 0 for p in parts],
        "lengths": [p.size[1] if p.geom in (pb.GEOM_CYLINDER, pb.GEOM_CAPSULE) else 0 for p in parts],
    }


def _compound_visual(client: BulletClient, parts: Sequence[Part]) -> int:
    if not parts:
        return -1  # an invisible link (a joint of a ball-like shoulder or wrist)
    return client.createVisualShapeArray(
        **_geometry(parts),
        rgbaColors=[p.rgba for p in parts],
        visualFramePositions=[p.offset for p in parts],
        visualFrameOrientations=[p.orientation for p in parts],
    )


def _compound_collision(client: BulletClient, parts: Sequence[Part]) -> int:
    return client.createCollisionShapeArray(
        **_geometry(parts),
        collisionFramePositions=[p.offset for p in parts],
        collisionFrameOrientations=[p.orientation for p in parts],
    )


class Embodiment:
    """An effector driven by a constraint plus a visual arm posed by inverse kinematics."""

    EFFECTOR_MASS = 0.5  # kg
    MAX_FORCE = 60.0  # N the constraint may apply: enough to push, soft enough to stay stable

    def __init__(self, client: BulletClient, spec: EmbodimentSpec, start: Sequence[float]):
        self.client = client
        self.spec = spec
        self.effector_id = client.createMultiBody(
            self.EFFECTOR_MASS,
            _compound_collision(client, spec.effector_collision),
            _compound_visual(client, spec.effector_visual),
            start,
        )
        client.changeDynamics(self.effector_id, -1, lateralFriction=0.6, linearDamping=0.0)
        self._constraint = client.createConstraint(
            self.effector_id, -1, -1, -1, pb.JOINT_FIXED, (0, 0, 0), (0, 0, 0), start
        )
        self._pivot = np.asarray(start, dtype=np.float64)
        # (body, visual shape index, role) of every part an appearance recolours.
        self._dressable: list[tuple[int, int, str]] = []
        self._note_roles(self.effector_id, spec.effector_visual)
        self._build_arm()
        for part in spec.extra_parts:
            vis = _compound_visual(client, [part])
            self._note_roles(client.createMultiBody(0, -1, vis, spec.arm_base), [part])

    def _note_roles(self, body: int, parts: Sequence[Part]) -> None:
        self._dressable += [(body, i, p.role) for i, p in enumerate(parts) if p.role is not None]

    def dress(self, look: Appearance) -> None:
        """Recolour skin, sleeves and shirt as ``look`` says (a no-op for the robot)."""
        for body, index, role in self._dressable:
            self.client.changeVisualShape(body, -1, shapeIndex=index, rgbaColor=(*getattr(look, role), 1.0))

    def _build_arm(self) -> None:
        """The arm as a kinematic chain in a private IK-only client, plus one static visual body
        per link in the scene. A multibody in the scene would double the cost of every physics
        step although it never moves under physics."""
        spec = self.spec
        n = len(spec.joints)
        self._ik_client = connect()
        self._ik_arm = self._ik_client.createMultiBody(
            baseMass=0,
            basePosition=spec.arm_base,
            linkMasses=[0.0] * n,
            linkCollisionShapeIndices=[-1] * n,
            linkVisualShapeIndices=[-1] * n,
            linkPositions=[j.origin for j in spec.joints],
            linkOrientations=[IDENTITY] * n,
            linkInertialFramePositions=[(0, 0, 0)] * n,
            linkInertialFrameOrientations=[IDENTITY] * n,
            linkParentIndices=list(range(n)),
            linkJointTypes=[pb.JOINT_REVOLUTE] * n,
            linkJointAxis=[j.axis for j in spec.joints],
        )
        base = self.client.createMultiBody(
            0, -1, _compound_visual(self.client, spec.base_parts), spec.arm_base
        )
        self._note_roles(base, spec.base_parts)
        self._link_bodies = [
            (i, self.client.createMultiBody(0, -1, _compound_visual(self.client, j.parts)))
            for i, j in enumerate(spec.joints)
            if j.parts
        ]
        for i, body in self._link_bodies:
            self._note_roles(body, spec.joints[i].parts)

    # ----------------------------------------------------------------------------- control
    def teleport(self, position: Sequence[float]) -> None:
        """Place the effector at ``position`` (m) at rest, with the constraint holding it there."""
        self._pivot = np.asarray(position, dtype=np.float64)
        self.client.resetBasePositionAndOrientation(self.effector_id, self._pivot, IDENTITY)
        self.client.resetBaseVelocity(self.effector_id, (0, 0, 0), (0, 0, 0))
        self._set_pivot(self._pivot)

    def drive(self, pivot: np.ndarray) -> None:
        """Move the constraint pivot (m); the effector follows under the constraint's force."""
        self._pivot = np.asarray(pivot, dtype=np.float64)
        self._set_pivot(self._pivot)

    def _set_pivot(self, pivot: np.ndarray) -> None:
        self.client.changeConstraint(self._constraint, pivot.tolist(), IDENTITY, maxForce=self.MAX_FORCE)

    @property
    def pivot(self) -> np.ndarray:
        return self._pivot.copy()

    def reach_along(self, direction: np.ndarray) -> float:
        """How far (m) the effector's collision shape extends from the effector point along a
        unit direction in the table plane: where it first touches what it pushes."""
        return max(
            abs(direction[0]) * (abs(p.offset[0]) + p.size[0])
            + abs(direction[1]) * (abs(p.offset[1]) + p.size[1])
            for p in self.spec.effector_collision
        )

    def position(self) -> np.ndarray:
        """The effector point, world frame, m, shape (3,)."""
        pos, _ = self.client.getBasePositionAndOrientation(self.effector_id)
        return np.asarray(pos)

    # ------------------------------------------------------------------------------ visuals
    def pose_arm(self) -> None:
        """Pose the visual arm so that its last link meets the top of the effector.

        The IK always starts from the rest pose, so the arm's pose is a function of the effector
        position alone (the same clip renders the same arm, whatever came before)."""
        ik, arm = self._ik_client, self._ik_arm
        rest = self.spec.rest_pose
        for j, q in enumerate(rest):
            ik.resetJointState(arm, j, q)
        target = self.position() + np.array([0.0, 0.0, self.spec.effector_top])
        solution = ik.calculateInverseKinematics(
            arm,
            len(rest) - 1,
            target.tolist(),
            POINTING_DOWN,
            restPoses=list(rest),
            maxNumIterations=60,
            residualThreshold=1e-4,
        )
        for j, q in enumerate(solution):
            ik.resetJointState(arm, j, q)
        links = ik.getLinkStates(arm, [i for i, _ in self._link_bodies])
        for (_, body), state in zip(self._link_bodies, links, strict=True):
            self.client.resetBasePositionAndOrientation(body, state[4], state[5])

    def close(self) -> None:
        self._ik_client.disconnect()


# ------------------------------------------------------------------------------- the robot
_STEEL: RGBA = (0.75, 0.76, 0.78, 1.0)
_ORANGE: RGBA = (0.95, 0.45, 0.08, 1.0)
_DARK: RGBA = (0.15, 0.15, 0.17, 1.0)

ROBOT = EmbodimentSpec(
    name="robot",
    style=ROBOT_STYLE,
    arm_base=(0.0, 0.46, 0.0),
    base_parts=(Part(pb.GEOM_CYLINDER, (0.06, 0.10), (0, 0, 0.05), _DARK),),
    joints=(
        Joint((0, 0, 0.10), (0, 0, 1), (Part(pb.GEOM_CYLINDER, (0.05, 0.06), (0, 0, 0.03), _ORANGE),)),
        Joint((0, 0, 0.06), (1, 0, 0), (Part(pb.GEOM_BOX, (0.03, 0.03, 0.17), (0, 0, 0.17), _ORANGE),)),
        Joint((0, 0, 0.34), (1, 0, 0), (Part(pb.GEOM_BOX, (0.025, 0.025, 0.16), (0, 0, 0.16), _STEEL),)),
        Joint((0, 0, 0.32), (1, 0, 0), (Part(pb.GEOM_CYLINDER, (0.03, 0.05), (0, 0, 0.025), _DARK),)),
        Joint((0, 0, 0.05), (0, 0, 1), (Part(pb.GEOM_CYLINDER, (0.022, 0.01), (0, 0, 0), _DARK),)),
    ),
    rest_pose=(0.0, 0.5, 1.3, 1.3, 0.0),
    effector_visual=(
        Part(pb.GEOM_BOX, (0.018, 0.04, 0.012), (0, 0, 0.047), _DARK),  # palm
        Part(pb.GEOM_BOX, (0.01, 0.006, 0.035), (0, 0.017, 0), _STEEL),  # finger
        Part(pb.GEOM_BOX, (0.01, 0.006, 0.035), (0, -0.017, 0), _STEEL),  # finger
    ),
    effector_collision=(
        Part(pb.GEOM_BOX, (0.018, 0.04, 0.012), (0, 0, 0.047), _DARK),
        Part(pb.GEOM_BOX, (0.012, 0.023, 0.035), (0, 0, 0), _DARK),
    ),
    effector_top=0.06,
)

# ------------------------------------------------------------------------------- the human
# Colours of the default look; an ``Appearance`` recolours each part by its role.
_SKIN: RGBA = (*DEFAULT.skin, 1.0)
_SLEEVE: RGBA = (*DEFAULT.sleeve, 1.0)
_SHIRT: RGBA = (*DEFAULT.shirt, 1.0)

# The hand hangs with its palm toward the camera (the x-z plane) and its fingers down.
_FINGERS = tuple(
    Part(pb.GEOM_CAPSULE, (0.0085, 0.04), (x, 0.0, -0.004), _SKIN, role="skin")
    for x in (-0.027, -0.009, 0.009, 0.027)
)

HUMAN = EmbodimentSpec(
    name="human",
    style=DEFAULT.scene_style(),
    # The shoulder of a person standing behind the table, as the robot does: the arm reaches in
    # from the same side. (Reaching in from the right, the arm was erased by MUNIT instead of
    # being turned into the robot's arm: unpaired translation does not move an arm across the image.)
    arm_base=(0.10, 0.50, 0.30),
    base_parts=(Part(pb.GEOM_SPHERE, (0.055,), (0, 0, 0), _SHIRT, role="shirt"),),
    joints=(
        Joint((0, 0, 0), (0, 0, 1), ()),
        Joint(
            (0, 0, 0),
            (1, 0, 0),
            (Part(pb.GEOM_CAPSULE, (0.045, 0.24), (0, 0, 0.14), _SLEEVE, role="sleeve"),),
        ),
        Joint(
            (0, 0, 0.30),
            (1, 0, 0),
            (
                Part(pb.GEOM_CAPSULE, (0.038, 0.19), (0, 0, 0.11), _SLEEVE, role="sleeve"),
                Part(pb.GEOM_CYLINDER, (0.027, 0.06), (0, 0, 0.245), _SKIN, role="skin"),  # bare wrist
            ),
        ),
        Joint((0, 0, 0.28), (1, 0, 0), ()),
        Joint((0, 0, 0), (0, 0, 1), ()),
    ),
    rest_pose=(0.6, 0.6, 1.0, 0.8, 0.0),
    effector_visual=(
        Part(pb.GEOM_BOX, (0.038, 0.013, 0.032), (0, 0, 0.048), _SKIN, role="skin"),  # palm
        *_FINGERS,
        Part(
            pb.GEOM_CAPSULE, (0.009, 0.035), (-0.045, 0.0, 0.035), _SKIN, (0, -0.38, 0, 0.92), "skin"
        ),  # thumb
    ),
    effector_collision=(
        Part(pb.GEOM_BOX, (0.038, 0.013, 0.032), (0, 0, 0.048), _SKIN),
        Part(pb.GEOM_BOX, (0.036, 0.011, 0.03), (0, 0, -0.004), _SKIN),
    ),
    effector_top=0.08,
    extra_parts=(Part(pb.GEOM_BOX, (0.1, 0.14, 0.3), (0.1, 0.08, -0.2), _SHIRT, role="shirt"),),  # torso
    version=2,
)

EMBODIMENTS: dict[str, EmbodimentSpec] = {"robot": ROBOT, "human": HUMAN}
