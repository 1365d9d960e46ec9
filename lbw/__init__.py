"""lbw — Learning by Watching: a simulated robot arm learns a skill from one human video.

    from lbw import load_config, run_pipeline
    metrics = run_pipeline(load_config("configs/reach.yaml", ["policy.seed=1"]))
    metrics["success_rate"], metrics["videos"]

    from lbw import record_demo, read_video, collect_frames, load_frames, make_method_env

The simulated tasks live in the sibling package ``lbw.envs`` (``import envs`` registers
``lbw/Reach-v0`` … ``lbw/CoffeePush-v0`` with gymnasium).
"""

from importlib import metadata

from lbw.config import ConfigError, RunConfig, load_config
from lbw.dataset import DatasetError, FrameDataset, collect_frames, load_frames
from lbw.demo import Demo, DemoError, record_demo
from lbw.lazy import lazy_attributes
from lbw.video import VideoError, read_video, write_video

__version__ = metadata.version("lbw")  # pyproject.toml's, the one place it is written

# Imported on first use: they pull in torch and stable-baselines3, which `lbw --help` does not need.
_LAZY = {
    "evaluate_run": "lbw.evaluation.policy",
    "run_pipeline": "lbw.pipeline",
    "load_demonstration": "lbw.policy.methods",
    "make_method_env": "lbw.policy.methods",
}
__getattr__ = lazy_attributes("lbw", _LAZY)


__all__ = [
    "ConfigError",
    "DatasetError",
    "Demo",
    "DemoError",
    "FrameDataset",
    "RunConfig",
    "VideoError",
    "collect_frames",
    "evaluate_run",
    "load_config",
    "load_demonstration",
    "load_frames",
    "make_method_env",
    "read_video",
    "record_demo",
    "run_pipeline",
    "write_video",
]
