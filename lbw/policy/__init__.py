"""Policy learning: the demonstration as a reference, the methods' environments, SAC.

    from lbw.policy import load_demonstration, make_method_env, train_sac

Modules: ``reference`` (the demo as a trajectory), ``wrappers`` (observations and rewards),
``methods`` (one env factory per method), ``sac`` (training), ``callbacks`` (its evaluation,
checkpoints and progress), ``exploration`` (extra noise on training actions).
"""

from lbw.policy.methods import Demonstration, load_demonstration, make_method_env, random_policy
from lbw.policy.sac import train_sac
from lbw.policy.wrappers import KeypointObservation, KeypointReward, PhaseObservation, PixelReward

__all__ = [
    "Demonstration",
    "KeypointObservation",
    "KeypointReward",
    "PhaseObservation",
    "PixelReward",
    "load_demonstration",
    "make_method_env",
    "random_policy",
    "train_sac",
]
