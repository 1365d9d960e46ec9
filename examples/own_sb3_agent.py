"""Use lbw's env with your own agent: the lbw reward (keypoint distance to a translated human
clip) and observation (keypoints + phase) as a gymnasium env, learned by TD3 from
stable-baselines3 instead of lbw's SAC.

    python examples/own_sb3_agent.py                    # 20k env steps, a few minutes
    python examples/own_sb3_agent.py --steps 300        # seconds

Everything comes from the shipped reach models and clip; swap in your own checkpoints and clip.
"""

from __future__ import annotations

import argparse

import numpy as np
from stable_baselines3 import TD3
from stable_baselines3.common.noise import NormalActionNoise

from lbw import KeypointDetector, Translator, envs, load_demonstration, make_method_env
from lbw.policy.reference import robot_pace
from lbw.shipped import shipped_path


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20_000, help="env steps (default: 20000)")
    parser.add_argument("--episodes", type=int, default=10, help="evaluation episodes (default: 10)")
    args = parser.parse_args(argv)

    detector = KeypointDetector.load(shipped_path("models/reach/transporter.pt"))
    translator = Translator.load(shipped_path("models/reach/translator_munit.pt"))
    demonstration = load_demonstration(
        shipped_path("videos/reach_human.mp4"),
        detector,
        translator,
        length=envs.MAX_EPISODE_STEPS + 1,
        nominal_pace=robot_pace("reach", detector),  # the clip replayed at the robot's pace
    )
    env = make_method_env("lbw", "reach", demonstration, detector)
    noise = NormalActionNoise(np.zeros(3), 0.2 * np.ones(3))
    agent = TD3("MlpPolicy", env, action_noise=noise, learning_starts=min(1000, args.steps // 2), seed=0)
    agent.learn(total_timesteps=args.steps)

    successes = []
    for seed in range(10_000, 10_000 + args.episodes):  # seeds training never used
        obs, info = env.reset(seed=seed)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(agent.predict(obs, deterministic=True)[0])
            done = terminated or truncated
        successes.append(info["is_success"])
    rate = float(np.mean(successes))
    print(f"TD3 on the lbw reward, {args.steps} env steps: success {rate:.2f} ({args.episodes} episodes)")
    return rate


if __name__ == "__main__":
    main()
