"""lbw — Learning by Watching: a simulated robot arm learns a skill from one human video.

    from lbw import load_config, run_pipeline
    config = load_config(shipped_config("quickstart"), ["policy.seed=1"])   # or a YAML path
    metrics = run_pipeline(config)              # data → translator → keypoints → SAC → evaluation
    metrics["success_rate"], metrics["videos"]

    from lbw import KeypointDetector, Translator, load_demonstration, make_method_env
    detector = KeypointDetector.load("models/reach/transporter.pt")
    env = make_method_env("lbw", "reach", demonstration, detector)   # any SB3 agent can learn in it

The public surface is what ``__all__`` lists (documented in docs/api.md); the simulated tasks
are ``lbw.envs`` (``import lbw`` registers ``lbw/Reach-v0`` … ``lbw/CoffeePush-v0``).
"""

from importlib import metadata

from lbw import envs
from lbw.config import ConfigError, RunConfig, load_config
from lbw.dataset import DatasetError, FrameDataset, collect_frames, load_frames
from lbw.demo import Demo, DemoError, record_demo
from lbw.envs import register_task
from lbw.lazy import lazy_attributes
from lbw.methods import Method, get_method, register_method
from lbw.shipped import shipped_config
from lbw.video import VideoError, read_video, write_video

__version__ = metadata.version("lbw")  # pyproject.toml's, the one place it is written

# Imported on first use: they pull in torch and stable-baselines3, which `lbw --help` does not need.
_LAZY = {
    "CheckpointError": "lbw.checkpoint",
    "Demonstration": "lbw.policy.methods",
    "KeypointDetector": "lbw.keypoints.trainer",
    "MethodEnvFactory": "lbw.policy.methods",
    "Translator": "lbw.translation",
    "evaluate_run": "lbw.evaluation.policy",
    "load_demonstration": "lbw.policy.methods",
    "make_method_env": "lbw.policy.methods",
    "method_env_factory": "lbw.policy.methods",
    "run_pipeline": "lbw.pipeline",
}
__getattr__ = lazy_attributes("lbw", _LAZY)

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DatasetError",
    "Demo",
    "DemoError",
    "Demonstration",
    "FrameDataset",
    "KeypointDetector",
    "Method",
    "MethodEnvFactory",
    "RunConfig",
    "Translator",
    "VideoError",
    "__version__",
    "collect_frames",
    "envs",
    "evaluate_run",
    "get_method",
    "load_config",
    "load_demonstration",
    "load_frames",
    "make_method_env",
    "method_env_factory",
    "read_video",
    "record_demo",
    "register_method",
    "register_task",
    "run_pipeline",
    "shipped_config",
    "write_video",
]


def __dir__() -> list[str]:
    return sorted(__all__)
