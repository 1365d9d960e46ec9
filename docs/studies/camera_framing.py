"""How many pixels a centimetre of drawer travel can take in a 64-px frame, whatever the camera.

drawer_close's success line (open < 2 cm) lies about 2 px from the closed drawer in the
shared camera's 64-px frame, about as far as a held-out look's translated arm is off. This asks
whether another framing could widen that margin without new pixels: for cameras looking from
the same side as the shared one (its azimuth; elevations from its own to nearly overhead), the
narrowest field of view that still holds, with a 2-px border, every effector position of the
scripted demos of both embodiments (± 3 cm for the hand and gripper around it), the drawer
pulled out to its widest reset opening, and the cabinet's front half; then the handle's travel
in px per cm of opening there.

    python docs/studies/camera_framing.py --episodes 10

Ground truth from the simulator (positions of the scripted demos), for the geometry only.
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from lbw import envs
from lbw.envs.scene import Camera
from lbw.envs.tasks.drawer_close import CABINET_CENTER, CABINET_HALF, HANDLE_Z, OPEN_NOMINAL

SIZE = 64
BORDER = 2.0  # px kept free at each edge
HAND = 0.03  # m around the effector point that the hand or gripper fills


def effector_positions(episodes: int) -> np.ndarray:
    """(N, 3) effector positions, m, over the scripted demos of both embodiments (default starts)."""
    positions = []
    for embodiment in ("robot", "human"):
        env = envs.make("drawer_close", embodiment=embodiment, image_size=SIZE)
        task = env.unwrapped
        try:
            for seed in range(episodes):
                env.reset(seed=seed)
                done = False
                while not done:
                    positions.append(task.embodiment.position())
                    _, _, terminated, truncated, _ = env.step(task.scripted_action())
                    done = terminated or truncated
        finally:
            env.close()
    return np.array(positions)


def required_points(effector: np.ndarray) -> np.ndarray:
    """(N, 3) world points the frame must hold: the hand around each effector position, the
    drawer's front at the widest reset opening, the cabinet's front half."""
    hand = np.concatenate([effector + np.array(o) * HAND for o in itertools.product((-1, 1), repeat=3)])
    front_x = CABINET_CENTER[0] - CABINET_HALF[0]
    drawer_out = front_x - OPEN_NOMINAL - 0.015 - 0.024  # its handle's outer face, m
    box = [
        (x, CABINET_CENTER[1] + sy * CABINET_HALF[1], z)
        for x in (drawer_out, CABINET_CENTER[0])
        for sy in (-1, 1)
        for z in (0.0, 2 * CABINET_HALF[2])
    ]
    return np.concatenate([hand, np.array(box)])


def handle_px_per_cm(camera: Camera) -> float:
    """The handle's travel in the image, px per cm, from 13 cm open to shut."""
    front_x = CABINET_CENTER[0] - CABINET_HALF[0]
    handle = np.array([[front_x - o - 0.012, CABINET_CENTER[1], HANDLE_Z] for o in (OPEN_NOMINAL, 0.0)])
    u = camera.project(handle, SIZE)
    return float(np.linalg.norm(u[1] - u[0]) / (OPEN_NOMINAL * 100))


def tightest(points: np.ndarray, direction: np.ndarray, distance: float) -> tuple[Camera, float] | None:
    """The camera along ``direction`` (unit, scene → eye) of smallest field of view that holds
    ``points`` within the border, its target searched on a grid over the points' box."""
    lo, hi = points.min(0), points.max(0)
    best = None
    grid = [np.linspace(lo[i], hi[i], 7) for i in range(3)]
    for target in itertools.product(*grid):
        eye = np.asarray(target) + direction * distance
        low, high = 10.0, 90.0  # bisect the field of view, degrees
        if not _holds(Camera(eye=tuple(eye), target=tuple(target), fov_deg=high), points):
            continue
        for _ in range(20):
            mid = (low + high) / 2
            ok = _holds(Camera(eye=tuple(eye), target=tuple(target), fov_deg=mid), points)
            low, high = (low, mid) if ok else (mid, high)
        if best is None or high < best[1]:
            best = (Camera(eye=tuple(eye), target=tuple(target), fov_deg=high), high)
    return best


def _holds(camera: Camera, points: np.ndarray) -> bool:
    px = camera.project(points, SIZE)
    return bool(px.min() >= BORDER and px.max() <= SIZE - BORDER)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--episodes", type=int, default=10, help="scripted demos per embodiment (seeds 0…N−1)")
    args = p.parse_args()
    points = required_points(effector_positions(args.episodes))
    shared = Camera()
    eye, target = np.array(shared.eye), np.array(shared.target)
    distance = float(np.linalg.norm(eye - target))
    d = (eye - target) / distance
    azimuth = np.arctan2(d[1], d[0])
    elevation0 = np.degrees(np.arcsin(d[2]))
    print(
        f"shared camera: fov {shared.fov_deg:.0f}°, elevation {elevation0:.0f}°, holds the points: "
        f"{_holds(shared, points)}, handle {handle_px_per_cm(shared):.2f} px/cm"
    )
    for elevation in (elevation0, 50.0, 65.0, 80.0):
        e = np.radians(elevation)
        direction = np.array([np.cos(e) * np.cos(azimuth), np.cos(e) * np.sin(azimuth), np.sin(e)])
        found = tightest(points, direction, distance)
        if found is None:
            print(f"elevation {elevation:.0f}°: no camera holds the points")
            continue
        camera, fov = found
        print(
            f"elevation {elevation:.0f}°: tightest fov {fov:.1f}°, target "
            f"{np.round(camera.target, 3).tolist()}, handle {handle_px_per_cm(camera):.2f} px/cm "
            f"({handle_px_per_cm(camera) / handle_px_per_cm(shared):.2f}× the shared camera's)"
        )


if __name__ == "__main__":
    main()
