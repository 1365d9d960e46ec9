"""Scene pieces shared by every task: the pybullet client, primitive bodies, the look of each
domain, and the fixed third-person camera with its 3-D → pixel projection.

World frame: metres, z up, the table top is the plane z = 0; the camera looks at the table
from the -y side, so +x points right in the image and +y away from the camera.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence what pybullet's C code prints on import and connect (build time, argv)."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:  # no real file descriptors (some test runners): nothing to silence
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)


with _quiet_stdout():
    import pybullet as pb
from pybullet_utils.bullet_client import BulletClient  # noqa: E402

RGBA = tuple[float, float, float, float]

PHYSICS_HZ = 240
TABLE_HALF_EXTENTS = (0.45, 0.36, 0.025)  # m; the top surface is z = 0
TABLE_CENTER_Y = 0.06
PLANKS = 5  # visual planks on a striped table


@dataclass(frozen=True)
class SceneStyle:
    """How one domain looks: the human clips are "filmed elsewhere", so nothing but the
    objects and the camera is shared between the two styles."""

    table_rgba: RGBA
    table_stripe_rgba: RGBA | None  # stripes across the table (a wood-plank look), or None
    wall_rgba: RGBA
    floor_rgba: RGBA
    light_direction: tuple[float, float, float]
    light_color: tuple[float, float, float]
    ambient: float  # TinyRenderer ambient coefficient, 0..1
    shadow: bool


ROBOT_STYLE = SceneStyle(
    table_rgba=(0.55, 0.57, 0.60, 1.0),
    table_stripe_rgba=None,
    wall_rgba=(0.80, 0.82, 0.85, 1.0),
    floor_rgba=(0.35, 0.35, 0.38, 1.0),
    light_direction=(0.2, -0.6, 1.0),
    light_color=(1.0, 1.0, 1.0),
    ambient=0.6,
    shadow=False,
)


@dataclass(frozen=True)
class Camera:
    """A fixed pinhole camera. ``project`` maps world points to continuous pixel coordinates
    ``(u, v)``: u along image columns (left → right), v along rows (top → bottom), with the
    centre of pixel (i, j) at (j + 0.5, i + 0.5)."""

    eye: tuple[float, float, float] = (0.02, -0.48, 0.42)
    target: tuple[float, float, float] = (0.03, 0.05, 0.02)
    fov_deg: float = 50.0
    near: float = 0.05
    far: float = 4.0

    @functools.cached_property
    def matrices(self) -> tuple[list[float], list[float]]:
        """(view, projection) as pybullet's column-major 16-float lists, for a square image."""
        return self.matrices_for(1.0)

    def matrices_for(self, aspect: float) -> tuple[list[float], list[float]]:
        """(view, projection) for an image ``aspect`` = width / height times as wide as high:
        the same vertical field of view, so a wide frame's centre square is the square frame."""
        view = pb.computeViewMatrix(self.eye, self.target, (0.0, 0.0, 1.0))
        proj = pb.computeProjectionMatrixFOV(self.fov_deg, aspect, self.near, self.far)
        return list(view), list(proj)

    @functools.cached_property
    def _world_to_clip(self) -> np.ndarray:
        view, proj = self.matrices
        return np.asarray(proj).reshape(4, 4).T @ np.asarray(view).reshape(4, 4).T

    def project(self, points: np.ndarray, image_size: int) -> np.ndarray:
        """World points (..., 3) in metres → pixel coordinates (..., 2) in [0, image_size]."""
        transform = self._world_to_clip
        pts = np.asarray(points, dtype=np.float64)
        homogeneous = np.concatenate([pts, np.ones(pts.shape[:-1] + (1,))], axis=-1)
        clip = homogeneous @ transform.T
        ndc = clip[..., :3] / clip[..., 3:4]
        u = (ndc[..., 0] + 1.0) * 0.5 * image_size
        v = (1.0 - ndc[..., 1]) * 0.5 * image_size
        return np.stack([u, v], axis=-1)


def connect() -> BulletClient:
    """A headless pybullet client with gravity and the 240 Hz physics step."""
    with _quiet_stdout():
        client = BulletClient(connection_mode=pb.DIRECT)
    client.setGravity(0.0, 0.0, -9.81)
    client.setTimeStep(1.0 / PHYSICS_HZ)
    return client


def box(
    client: BulletClient,
    half_extents: Sequence[float],
    position: Sequence[float],
    rgba: RGBA,
    mass: float = 0.0,
    collide: bool = True,
    orientation: Sequence[float] = (0.0, 0.0, 0.0, 1.0),
) -> int:
    """A single box body; ``mass=0`` makes it static, ``collide=False`` purely visual."""
    col = client.createCollisionShape(pb.GEOM_BOX, halfExtents=half_extents) if collide else -1
    vis = client.createVisualShape(pb.GEOM_BOX, halfExtents=half_extents, rgbaColor=rgba)
    return client.createMultiBody(mass, col, vis, position, orientation)


def cylinder(
    client: BulletClient,
    radius: float,
    height: float,
    position: Sequence[float],
    rgba: RGBA,
    mass: float = 0.0,
    collide: bool = True,
) -> int:
    """An upright cylinder body centred at ``position``."""
    col = client.createCollisionShape(pb.GEOM_CYLINDER, radius=radius, height=height) if collide else -1
    vis = client.createVisualShape(pb.GEOM_CYLINDER, radius=radius, length=height, rgbaColor=rgba)
    return client.createMultiBody(mass, col, vis, position)


def build_room(client: BulletClient, style: SceneStyle) -> dict[str, int]:
    """Table, wall and floor in the given style; returns their body ids by name (``table``,
    ``table_stripe`` where the style has planks, ``wall``, ``floor``)."""
    hx, hy, hz = TABLE_HALF_EXTENTS
    table = box(client, (hx, hy, hz), (0.0, TABLE_CENTER_Y, -hz), style.table_rgba)
    client.changeDynamics(table, -1, lateralFriction=0.5)
    bodies = {"table": table}
    if style.table_stripe_rgba is not None:
        # Thin purely visual planks laid on the top: a texture TinyRenderer draws for free.
        xs = np.linspace(-hx + 0.06, hx - 0.06, PLANKS)
        planks = client.createVisualShapeArray(
            shapeTypes=[pb.GEOM_BOX] * len(xs),
            halfExtents=[(0.012, hy, 0.0005)] * len(xs),
            visualFramePositions=[(x, 0.0, 0.0) for x in xs],
            rgbaColors=[style.table_stripe_rgba] * len(xs),
        )
        bodies["table_stripe"] = client.createMultiBody(0, -1, planks, (0.0, TABLE_CENTER_Y, 0.0005))
    bodies["wall"] = box(
        client, (2.0, 0.02, 1.2), (0.0, TABLE_CENTER_Y + hy + 0.35, 0.3), style.wall_rgba, collide=False
    )
    bodies["floor"] = box(
        client, (2.0, 2.0, 0.01), (0.0, 0.0, -0.8), style.floor_rgba
    )  # catches dropped objects
    return bodies


def recolour(client: BulletClient, body: int, rgba: RGBA, shapes: int = 1) -> None:
    """Give every one of a body's ``shapes`` visual shapes (of its base) the colour ``rgba``."""
    for index in range(shapes):
        client.changeVisualShape(body, -1, shapeIndex=index, rgbaColor=rgba)


def render(
    client: BulletClient, camera: Camera, style: SceneStyle, image_size: int, width: int | None = None
) -> np.ndarray:
    """One RGB frame, uint8 (image_size, width or image_size, 3), from pybullet's TinyRenderer."""
    width = width or image_size
    view, proj = camera.matrices if width == image_size else camera.matrices_for(width / image_size)
    _, _, rgba, _, _ = client.getCameraImage(
        width,
        image_size,
        view,
        proj,
        renderer=pb.ER_TINY_RENDERER,
        flags=pb.ER_NO_SEGMENTATION_MASK,
        shadow=int(style.shadow),
        lightDirection=style.light_direction,
        lightColor=style.light_color,
        lightAmbientCoeff=style.ambient,
    )
    frame = np.asarray(rgba, dtype=np.uint8).reshape(image_size, width, 4)
    return np.ascontiguousarray(frame[..., :3])
