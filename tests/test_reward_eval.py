"""lbw eval-reward: the keypoint reward's ranking of a success against the open-loop replay."""

from __future__ import annotations

import numpy as np
import torch

from lbw import envs
from lbw.config import KEYPOINT_REWARDS
from lbw.evaluation.reward import ranking_table, reward_ranking, successes_ranked_above_failures
from lbw.keypoints import KeypointDetector, Transporter, TransporterConfig
from lbw.policy.methods import Demonstration, scripted_demo_actions
from lbw.policy.reference import to_unit

LENGTH = envs.MAX_EPISODE_STEPS + 1


def test_reward_ranking_scores_the_two_trajectories() -> None:
    torch.manual_seed(0)
    detector = KeypointDetector(
        Transporter(TransporterConfig(num_keypoints=3, width=4, image_size=32)), torch.device("cpu")
    )
    # The reference: the replayed demo episode itself (seed 0), so on that episode the replay
    # matches it exactly; on wide starts the scripted demonstrator succeeds and replay mostly fails.
    env = envs.make("reach", obs_mode="pixels", image_size=32)
    frames = [env.reset(seed=0)[0]]
    for action in scripted_demo_actions("reach"):
        frames.append(env.step(action)[0])
    env.close()
    keypoints = to_unit(detector(np.stack(frames[:LENGTH])), 32)
    demonstration = Demonstration(np.stack(frames[:LENGTH]), np.stack(frames[:LENGTH]), keypoints)
    result = reward_ranking("reach", demonstration, detector, starts="wide", episodes=3, progress=False)
    assert result["scripted_success"] == 1.0 and 0.0 <= result["replay_success"] < 1.0
    assert result["contrasted"] == round(3 * (1 - result["replay_success"]))
    assert set(result["norms"]) == set(KEYPOINT_REWARDS)
    for score in result["norms"].values():
        assert 0.0 <= score["ranked_above"] <= 1.0 and np.isfinite(score["median_margin"])
    assert "| reach | wide | 1.00 /" in ranking_table([result])


def test_successes_ranked_above_failures_counts_pairs() -> None:
    # Successes return −1 and −3, failures −2 and −4: 3 of the 4 pairs rank the success higher.
    share = successes_ranked_above_failures([-1.0, -2.0, -3.0, -4.0], [True, False, True, False])
    assert share == 0.75
    assert successes_ranked_above_failures([-1.0, -2.0], [True, True]) is None
    assert successes_ranked_above_failures([-1.0, -2.0], [False, False]) is None
