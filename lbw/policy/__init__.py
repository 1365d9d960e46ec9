"""Policy learning: the demonstration as a reference, the methods' environments, SAC.

    from lbw.policy import load_demonstration, make_method_env, train_sac

Modules: ``reference`` (the demo as a trajectory), ``wrappers`` (observations and rewards),
``methods`` (one env factory per method), ``sac`` (training), ``callbacks`` (its evaluation,
checkpoints and progress), ``exploration`` (extra noise on training actions), ``overlap``
(gradient steps while the training envs step).
"""

from lbw.lazy import lazy_attributes

# Imported on first use: they pull in torch and stable-baselines3, which the light modules here
# (``reference``, used by demo re-timing and checks) do not need.
_LAZY = {
    "Demonstration": "lbw.policy.methods",
    "load_demonstration": "lbw.policy.methods",
    "make_method_env": "lbw.policy.methods",
    "fixed_policy": "lbw.policy.methods",
    "train_sac": "lbw.policy.sac",
    "KeypointObservation": "lbw.policy.wrappers",
    "KeypointReward": "lbw.policy.wrappers",
    "PhaseObservation": "lbw.policy.wrappers",
    "PixelReward": "lbw.policy.wrappers",
}
__getattr__ = lazy_attributes("lbw.policy", _LAZY)


__all__ = [
    "Demonstration",
    "KeypointObservation",
    "KeypointReward",
    "PhaseObservation",
    "PixelReward",
    "load_demonstration",
    "make_method_env",
    "fixed_policy",
    "train_sac",
]
