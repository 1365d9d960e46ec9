"""lbw — Learning by Watching: a simulated robot arm learns a skill from one human video.

    from lbw import record_demo, read_video, collect_frames, load_frames

The simulated tasks live in the sibling package ``envs`` (``import envs`` registers
``lbw/Reach-v0`` … ``lbw/CoffeePush-v0`` with gymnasium).
"""

from lbw.dataset import DatasetError, FrameDataset, collect_frames, load_frames
from lbw.demo import Demo, DemoError, record_demo
from lbw.video import VideoError, read_video, write_video

__version__ = "0.1.0"

__all__ = [
    "DatasetError",
    "Demo",
    "DemoError",
    "FrameDataset",
    "VideoError",
    "collect_frames",
    "load_frames",
    "read_video",
    "record_demo",
    "write_video",
]
