"""drawer_close filmed by a camera framed on the drawer: an lbw command or a study, run so.

The shared camera gives the drawer's travel 1.0 px per cm in the 64-px frame; the tightest
framing that still holds the demos (``camera_framing.py``) gives 1.5. This runs anything with
drawer_close's env rendering through that framing instead:

    python docs/studies/framed_camera.py lbw demo --task drawer_close --out clips_framed/default
    python docs/studies/framed_camera.py lbw demo --task drawer_close \
        --appearance dark_skin_green_sleeve --out clips_framed/dark
    python docs/studies/framed_camera.py lbw train-translator configs/drawer_close.yaml \
        translator.checkpoint=null keypoints.checkpoint=null [translator.seed=1]
    python docs/studies/framed_camera.py docs/studies/held_pose.py --task drawer_close \
        --keypoints runs/drawer_close/stages/keypoints-HASH/transporter.pt \
        --munit runs/drawer_close/stages/translator_munit-HASH/snapshots/SNAPSHOT.pt \
        --clip default=clips_framed/default/drawer_close_ --clip dark=clips_framed/dark/drawer_close_

(``near_misses.py`` likewise.) The framed scene has a look version of its own, so its stages
are cached apart from the shared camera's; a run through it needs ``demo=`` and
``robot_demo=`` of framed clips, the shipped ones being filmed by the shared camera.
"""

from __future__ import annotations

import runpy
import sys

from lbw.envs.scene import Camera
from lbw.envs.tasks.drawer_close import DrawerCloseEnv

FRAMED = Camera(eye=(0.062, -0.52, 0.589), target=(0.072, 0.01, 0.189), fov_deg=30.0)


def _framed_init(self, *args, **kwargs) -> None:
    _shared_init(self, *args, **kwargs)
    self.camera = FRAMED


_shared_init = DrawerCloseEnv.__init__
DrawerCloseEnv.__init__ = _framed_init
DrawerCloseEnv.LOOK_VERSION += 1000  # other frames: other cached stages

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "lbw":
        from lbw.cli import main

        sys.exit(main(sys.argv[2:]))
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
