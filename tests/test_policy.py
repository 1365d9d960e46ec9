"""Policy learning: reference trajectories, the methods' wrappers, SAC training and resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from lbw import envs
from lbw.config import ConfigError, PolicyConfig
from lbw.files import read_jsonl
from lbw.keypoints import KeypointDetector, Transporter, TransporterConfig
from lbw.policy.callbacks import (
    BEST,
    BUFFER,
    CANDIDATES,
    EVALUATIONS,
    LAST,
    ModelSettingsAtStep,
    candidate_steps,
)
from lbw.policy.exploration import exploration_noise
from lbw.policy.methods import Demonstration, load_demonstration, make_method_env
from lbw.policy.reference import resample, resample_frames, to_unit
from lbw.policy.sac import SELECTION, build_sac, resize_replay_buffer, train_sac
from lbw.policy.wrappers import KeypointReward, PixelReward
from lbw.video import VideoError, write_video

LENGTH = envs.MAX_EPISODE_STEPS + 1
# The wrapped env is the MDP the policy learns in, so it is the one to check.
CHECK_WRAPPED = pytest.mark.filterwarnings("ignore:.*different from the unwrapped")


@pytest.fixture(scope="module")
def detector() -> KeypointDetector:
    torch.manual_seed(0)
    return KeypointDetector(
        Transporter(TransporterConfig(num_keypoints=3, width=4, image_size=32)), torch.device("cpu")
    )


@pytest.fixture(scope="module")
def demonstration(detector: KeypointDetector) -> Demonstration:
    frames = np.random.default_rng(0).integers(0, 255, (20, 32, 32, 3), dtype=np.uint8)
    keypoints = resample(to_unit(detector(frames), 32), LENGTH)
    return Demonstration(resample_frames(frames, LENGTH), resample_frames(frames, LENGTH), keypoints)


def test_resample_keeps_ends_and_interpolates() -> None:
    trajectory = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]])
    out = resample(trajectory, 5)
    assert out.shape == (5, 2)
    np.testing.assert_allclose(out[[0, 2, 4]], trajectory, atol=1e-6)
    np.testing.assert_allclose(out[1], [0.5, 1.0], atol=1e-6)
    with pytest.raises(ValueError):
        resample(trajectory[:0], 5)


def test_rewards_are_negative_distances() -> None:
    reference = np.zeros((3, 2, 2), np.float32)
    reward = KeypointReward(reference)
    assert reward(None, np.array([[0.3, 0.4], [0.0, 0.0]]), 1) == pytest.approx(-0.5)
    per_keypoint = KeypointReward(reference, norm="per_keypoint")
    # one keypoint off by 0.5: its distance over √K; both off by 0.5: the same as l2
    assert per_keypoint(None, np.array([[0.3, 0.4], [0.0, 0.0]]), 1) == pytest.approx(-0.5 / np.sqrt(2))
    both_off = np.array([[0.3, 0.4], [0.0, -0.5]])
    assert per_keypoint(None, both_off, 1) == pytest.approx(reward(None, both_off, 1))
    with pytest.raises(ValueError, match="norm"):
        KeypointReward(reference, norm="l1")
    frames = np.full((3, 4, 4, 3), 255, np.uint8)
    assert PixelReward(frames)(frames[0], None, 2) == pytest.approx(0.0, abs=1e-6)
    assert PixelReward(frames)(np.zeros((4, 4, 3), np.uint8), None, 2) == pytest.approx(-2.0)


@CHECK_WRAPPED
@pytest.mark.parametrize("method", ["lbw", "pixel"])
def test_keypoint_env_observation_reward_and_horizon(method, detector, demonstration) -> None:
    env = make_method_env(method, "push", demonstration, detector)
    check_env(env, skip_render_check=True)
    obs, info = env.reset(seed=0)
    assert obs.shape == (3 * 2 + 1,) and obs[-1] == 0.0
    np.testing.assert_allclose(obs[:6], info["keypoints"].reshape(-1), atol=1e-6)
    for t in range(1, envs.MAX_EPISODE_STEPS + 1):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert obs[-1] == pytest.approx(t / envs.MAX_EPISODE_STEPS)
        if method == "lbw":  # the reward compares with the demo at the same phase
            expected = -np.linalg.norm(info["keypoints"] - demonstration.keypoints[t])
            assert reward == pytest.approx(expected, rel=1e-5)
        assert terminated == (t == envs.MAX_EPISODE_STEPS) and not truncated
        assert "positions" in info  # ground truth stays in info for evaluation, out of obs
    env.close()


def test_proprioception_appends_the_effector(detector, demonstration) -> None:
    env = make_method_env("lbw", "reach", demonstration, detector, proprioception=True)
    obs, info = env.reset(seed=1)
    assert obs.shape == (10,)
    np.testing.assert_allclose(obs[-3:], info["positions"]["effector"], atol=1e-6)
    env.close()


@CHECK_WRAPPED
def test_oracle_env_sees_ground_truth_and_phase() -> None:
    env = make_method_env("oracle", "push")
    check_env(env, skip_render_check=True)
    obs, info = env.reset(seed=0)
    assert obs.shape == (10,)
    np.testing.assert_allclose(obs[:3], info["positions"]["effector"], atol=1e-6)
    env.close()


def test_video_methods_need_a_demonstration() -> None:
    with pytest.raises(ValueError, match="demonstration"):
        make_method_env("lbw", "push")
    with pytest.raises(ValueError, match="unknown method"):
        make_method_env("magic", "push")


def test_load_demonstration_and_bad_clips(detector, tmp_path: Path) -> None:
    clip = tmp_path / "demo.mp4"
    write_video(clip, np.random.default_rng(0).integers(0, 255, (10, 64, 64, 3), dtype=np.uint8), fps=30)
    demo = load_demonstration(clip, detector, None, LENGTH)
    assert demo.clip.shape == (LENGTH, 32, 32, 3) and demo.keypoints.shape == (LENGTH, 3, 2)
    # Snapped (k = 1): the same timing, each frame's keypoints those of the nearest robot pose
    # (one step per frame here, so each step of the reference is a robot pose).
    robot = np.random.default_rng(1).uniform(0, 32, (30, 3, 2)).astype(np.float32)
    own = load_demonstration(clip, detector, None, 10)
    snapped = load_demonstration(clip, detector, None, 10, snap=1, robot_keypoints=robot)
    np.testing.assert_array_equal(snapped.source_times, own.source_times)
    nearest = np.linalg.norm(own.keypoints[:, None] - to_unit(robot, 32)[None], axis=-1).mean(-1).argmin(1)
    np.testing.assert_allclose(snapped.keypoints, to_unit(robot, 32)[nearest], atol=1e-6)
    assert not np.allclose(snapped.keypoints, own.keypoints)
    with pytest.raises(ValueError, match="robot_keypoints"):
        load_demonstration(clip, detector, None, LENGTH, snap=1)
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    with pytest.raises(VideoError):
        load_demonstration(tmp_path / "broken.mp4", detector, None, LENGTH)
    with pytest.raises(VideoError, match="no such"):
        load_demonstration(tmp_path / "missing.mp4", detector, None, LENGTH)


def tiny_sac_config(**overrides) -> PolicyConfig:
    """A 200-step SAC run with one-episode evaluations: seconds on the CPU."""
    settings = dict(total_steps=200, learning_starts=50, batch_size=16, eval_episodes=1, checkpoint_every=100)
    return PolicyConfig(**(settings | overrides))


def test_sac_trains_evaluates_and_resumes(detector, demonstration, tmp_path: Path) -> None:
    config = tiny_sac_config(eval_every=100)
    make = lambda: make_method_env("lbw", "reach", demonstration, detector)  # noqa: E731
    # A fresh run decays from learning_rate to learning_rate_final; without the latter, constant.
    decaying = build_sac(make(), tiny_sac_config(learning_rate_final=3e-5))
    assert decaying.lr_schedule(0.5) == pytest.approx((3e-4 + 3e-5) / 2)
    assert build_sac(make(), config).lr_schedule(0.5) == pytest.approx(3e-4)
    # The entropy target: SB3's -(action dims) unless the config sets one.
    assert build_sac(make(), config).target_entropy == -3.0
    assert build_sac(make(), tiny_sac_config(target_entropy=-6)).target_entropy == -6.0
    # From a step on: SB3's auto until then, the config's target once the callback passes it.
    later = build_sac(make(), tiny_sac_config(target_entropy=-6, target_entropy_from=100))
    assert later.target_entropy == -3.0
    switch = ModelSettingsAtStep(100, target_entropy=-6.0)
    switch.init_callback(later)
    later.num_timesteps = 100
    switch.on_step()
    assert later.target_entropy == -6.0
    best = train_sac(make, config, tmp_path / "policy", progress=False)
    assert best == tmp_path / "policy" / BEST and best.is_file()
    assert [r["iteration"] for r in read_jsonl(tmp_path / "policy" / EVALUATIONS)] == [100, 200]
    assert (tmp_path / "policy" / LAST).is_file() and (tmp_path / "policy" / BUFFER).is_file()
    # An interrupted run goes on from its checkpoint: the step count and the log continue;
    # the learning rate follows the config it is resumed with, not the saved model's.
    config.total_steps, config.learning_rate_final = 300, 3e-5
    train_sac(make, config, tmp_path / "policy", resume=True, progress=False)
    assert [r["iteration"] for r in read_jsonl(tmp_path / "policy" / EVALUATIONS)] == [100, 200, 300]
    from stable_baselines3 import SAC
    from stable_baselines3.common.buffers import NStepReplayBuffer

    resumed = SAC.load(tmp_path / "policy" / LAST)
    assert resumed.num_timesteps == 300
    # The learning rate decayed linearly to learning_rate_final over the resumed total.
    assert resumed.actor.optimizer.param_groups[0]["lr"] == pytest.approx(3e-5, rel=0.05)
    assert resumed.lr_schedule(0.5) == pytest.approx((3e-4 + 3e-5) / 2)
    # The resumed session's buffer grew with total_steps: all 300 transitions are kept.
    resumed.load_replay_buffer(tmp_path / "policy" / BUFFER)
    assert resumed.replay_buffer.buffer_size == 300 and resumed.replay_buffer.full
    # n-step returns survive the round trip (SB3 rebuilds the buffer class from the save).
    assert resumed.replay_buffer_class is NStepReplayBuffer
    assert resumed.replay_buffer_kwargs == {"n_steps": config.n_steps, "gamma": config.gamma}
    assert (tmp_path / "policy" / "progress.csv").is_file()  # the first session's log is kept
    assert (tmp_path / "policy" / "progress_from_200.csv").is_file()


def test_update_schedule_keeps_updates_per_env_step() -> None:
    # (train_freq, gradient_steps) of SB3, counted in steps of all envs at once.
    assert PolicyConfig(train_freq=2, gradient_steps=1).update_schedule() == (2, 1)
    assert PolicyConfig(train_freq=2, gradient_steps=1, n_envs=2).update_schedule() == (1, 1)
    assert PolicyConfig(train_freq=2, gradient_steps=1, n_envs=4).update_schedule() == (1, 2)
    assert PolicyConfig(train_freq=4, gradient_steps=1, n_envs=2).update_schedule() == (2, 1)
    with pytest.raises(ConfigError, match="policy.n_envs=3"):
        PolicyConfig(train_freq=2, n_envs=3)
    # The cores a training keeps busy (a sweep asks Ray for as many).
    assert PolicyConfig().busy_processes() == 1
    assert PolicyConfig(overlap_updates=True).busy_processes() == 2
    assert PolicyConfig(n_envs=2, overlap_updates=True).busy_processes() == 3


def test_sac_with_parallel_envs(detector, demonstration, tmp_path: Path) -> None:
    from stable_baselines3 import SAC

    config = tiny_sac_config(eval_every=100, n_envs=2, excursions=0.1)
    make = lambda: make_method_env("lbw", "reach", demonstration, detector)  # noqa: E731
    run = tmp_path / "policy"
    train_sac(make, config, run, progress=False)
    # Evaluations and checkpoints at the same env steps as with one env.
    assert [r["iteration"] for r in read_jsonl(run / EVALUATIONS)] == [100, 200]
    model = SAC.load(run / LAST)
    model.load_replay_buffer(run / BUFFER)
    # 200 transitions in 100 rows of 2 envs; one update per 2 env steps, as with one env.
    assert model.num_timesteps == 200 and model.replay_buffer.n_envs == 2
    assert model.replay_buffer.buffer_size == 100 and model.replay_buffer.full
    assert model._n_updates == (200 - config.learning_starts) // config.train_freq
    with pytest.raises(ValueError, match="policy.n_envs=2"):
        train_sac(make, tiny_sac_config(total_steps=300), run, resume=True, progress=False)
    # Each env explores on its own: the excursions of the two envs are independent.
    noise = exploration_noise(config, 3)
    np.random.seed(0)
    pushes = np.array([noise() for _ in range(500)])  # (steps, envs, action_dim)
    assert pushes.shape == (500, 2, 3) and not np.array_equal(pushes[:, 0], pushes[:, 1])


def test_sac_updates_while_envs_step(detector, demonstration, tmp_path: Path) -> None:
    from stable_baselines3 import SAC
    from stable_baselines3.common.vec_env import DummyVecEnv

    from lbw.policy.overlap import OverlappedSAC, UpdatesWhileStepping

    config = tiny_sac_config(eval_every=100, overlap_updates=True)
    make = lambda: make_method_env("lbw", "reach", demonstration, detector)  # noqa: E731
    runs = [tmp_path / "a", tmp_path / "b"]
    for run in runs:
        train_sac(make, config, run, progress=False)
    first, second = (SAC.load(run / LAST) for run in runs)
    # As many updates per env step as SB3's order: the resume point, saved at the last step,
    # holds the update still due then (learn does it before returning; a resumed run, first).
    done = lambda model: model._n_updates + model._pending_gradient_steps  # noqa: E731
    assert first.num_timesteps == 200 and first._pending_gradient_steps == 1
    assert done(first) == (200 - config.learning_starts) // config.train_freq
    # Reproducible: the learner's updates and the workers' steps interleave the same way.
    for a, b in zip(first.policy.parameters(), second.policy.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    # Resumed (to 300 steps) on the same overlapped env.
    longer = tiny_sac_config(total_steps=300, overlap_updates=True)
    train_sac(make, longer, runs[0], resume=True, progress=False)
    resumed = SAC.load(runs[0] / LAST)
    assert resumed.num_timesteps == 300 and done(resumed) == done(first) + 100 // config.train_freq
    with pytest.raises(TypeError, match="UpdatesWhileStepping"):
        OverlappedSAC("MlpPolicy", DummyVecEnv([make]))
    assert isinstance(UpdatesWhileStepping(DummyVecEnv([make])).reset(), np.ndarray)


def test_top_candidates_are_kept_and_rescored(detector, demonstration, tmp_path: Path) -> None:
    config = tiny_sac_config(eval_every=50, select_top=2, select_episodes=2, action_noise=0.3)
    make = lambda: make_method_env("lbw", "reach", demonstration, detector)  # noqa: E731
    run = tmp_path / "policy"
    train_sac(make, config, run, progress=False)
    scores = {r["iteration"]: r["eval/success_rate"] for r in read_jsonl(run / EVALUATIONS)}
    kept = candidate_steps(run / CANDIDATES)
    # The two best training evaluations (ties to the later) are the candidates.
    assert kept == set(sorted(scores, key=lambda s: (scores[s], s))[-2:])
    selection = json.loads((run / SELECTION).read_text())
    assert {r["iteration"] for r in selection["candidates"]} == kept
    assert all(r["validation/episodes"] == 2 for r in selection["candidates"])
    chosen = (run / CANDIDATES / f"step_{selection['chosen']}.zip").read_bytes()
    assert (run / BEST).read_bytes() == chosen
    # Resumed for more steps: still two candidates, re-selected among the new ranking.
    config.total_steps = 300
    train_sac(make, config, run, resume=True, progress=False)
    assert len(candidate_steps(run / CANDIDATES)) == 2
    assert json.loads((run / SELECTION).read_text())["chosen"] in candidate_steps(run / CANDIDATES)


def test_action_noise_drifts_within_an_episode_and_resets() -> None:
    assert exploration_noise(PolicyConfig(), 3) is None
    noise = exploration_noise(PolicyConfig(action_noise=0.3), 3)
    np.random.seed(0)
    walk = np.array([noise() for _ in range(60)])  # (steps, action_dim)
    steps = np.diff(walk, axis=0)
    # A random walk of ≈ 0.1 σ per step: it wanders far beyond one step's size.
    assert np.abs(steps).mean() < 0.05 and np.abs(walk[-1]).max() > 0.1
    noise.reset()
    assert np.abs(noise()).max() < 0.15  # back near zero for the next episode


def test_excursions_hold_one_random_push_then_stop() -> None:
    assert exploration_noise(PolicyConfig(excursions=0.0), 3) is None
    noise = exploration_noise(PolicyConfig(excursions=0.05), 3)
    np.random.seed(0)
    pushes = np.array([noise() for _ in range(2000)])  # (steps, action_dim)
    active = np.abs(pushes).max(axis=1) > 0
    assert 0.1 < active.mean() < 0.7  # some steps explore, most follow the policy
    # Each excursion is one vector held for 5-20 steps (two may follow each other).
    changes = np.flatnonzero(np.any(np.diff(pushes, axis=0) != 0, axis=1)) + 1
    segments = np.split(np.arange(len(pushes)), changes)[1:-1]  # whole ones only
    lengths = [len(seg) for seg in segments if active[seg[0]]]
    assert lengths and min(lengths) >= 5 and max(lengths) <= 20
    with pytest.raises(ValueError, match="choose one"):
        exploration_noise(PolicyConfig(excursions=0.05, action_noise=0.3), 3)


def test_exploration_stops_after_exploration_steps() -> None:
    from stable_baselines3 import SAC
    from stable_baselines3.common.callbacks import BaseCallback

    class NoiseLog(BaseCallback):
        def _init_callback(self) -> None:
            self.noisy: list[bool] = []

        def _on_step(self) -> bool:
            self.noisy.append(self.model.action_noise is not None)
            return True

    noise = exploration_noise(PolicyConfig(excursions=0.5), 1)
    model = SAC("MlpPolicy", "Pendulum-v1", learning_starts=100, action_noise=noise, seed=0)
    log = NoiseLog()
    model.learn(60, callback=[ModelSettingsAtStep(30, action_noise=None), log])
    # Steps 1..29 explore; from step 30 (train_freq 1: the next rollout) SAC's sampling alone.
    assert log.noisy == [True] * 29 + [False] * 31
    # A run resumed past the cut starts without the noise.
    model.action_noise = noise
    model.learn(5, callback=ModelSettingsAtStep(30, action_noise=None), reset_num_timesteps=False)
    assert model.action_noise is None
    with pytest.raises(ConfigError, match="policy.exploration_steps"):
        PolicyConfig(exploration_steps=-1)


def test_resize_replay_buffer_keeps_transitions_in_order() -> None:
    from gymnasium import spaces
    from stable_baselines3.common.buffers import NStepReplayBuffer

    box = spaces.Box(-1, 1, (2,), np.float32)
    buffer = NStepReplayBuffer(4, box, box, device="cpu", n_steps=2, gamma=0.5)
    for step in range(6):  # wraps around: holds steps 2..5, the oldest at index 2
        obs = np.full((1, 2), step, np.float32)
        buffer.add(obs, obs + 1, obs[:, :2], np.array([step]), np.array([False]), [{}])
    grown = resize_replay_buffer(buffer, 10)
    assert type(grown) is NStepReplayBuffer and grown.n_steps == 2 and grown.gamma == 0.5
    assert grown.rewards[:4, 0].tolist() == [2, 3, 4, 5] and grown.pos == 4 and not grown.full
    assert grown.next_observations[:4, 0, 0].tolist() == [3, 4, 5, 6]
    shrunk = resize_replay_buffer(buffer, 3)  # the newest three
    assert shrunk.rewards[:, 0].tolist() == [3, 4, 5] and shrunk.full and shrunk.pos == 0
    assert resize_replay_buffer(buffer, 4) is buffer
    assert buffer.rewards[:, 0].tolist() == [4, 5, 2, 3]  # the original is untouched
