"""Transporter: pure functions, shapes on tiny images, learning, checkpoints, inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lbw.checkpoint import CheckpointError
from lbw.dataset import FrameDataset
from lbw.files import read_jsonl
from lbw.keypoints import (
    KeypointDetector,
    Transporter,
    TransporterConfig,
    TransporterTrainConfig,
    TransporterTrainer,
    gaussian_maps,
    spatial_softmax,
    transport,
)
from lbw.keypoints.trainer import sample_pairs

TINY = TransporterConfig(num_keypoints=3, width=4, image_size=16)


def test_spatial_softmax_finds_the_peak() -> None:
    heatmaps = torch.full((1, 2, 8, 8), -50.0)
    heatmaps[0, 0, 0, 7] = 50.0  # top right
    heatmaps[0, 1, 7, 0] = 50.0  # bottom left
    keypoints = spatial_softmax(heatmaps)
    assert keypoints.shape == (1, 2, 2)
    torch.testing.assert_close(keypoints[0], torch.tensor([[1.0, -1.0], [-1.0, 1.0]]))


def test_gaussian_maps_peak_at_the_keypoint() -> None:
    maps = gaussian_maps(torch.tensor([[[0.0, 0.0], [-1.0, 1.0]]]), size=9, std=0.2)
    assert maps.shape == (1, 2, 9, 9)
    assert maps[0, 0, 4, 4] == pytest.approx(1.0) and maps[0, 1, 8, 0] == pytest.approx(1.0)
    assert maps[0, 0, 0, 0] < 1e-3


def test_transport_pastes_target_features_at_target_keypoints() -> None:
    source_features, target_features = torch.zeros(1, 1, 4, 4), torch.ones(1, 1, 4, 4)
    target_maps = torch.zeros(1, 1, 4, 4)
    target_maps[0, 0, 1, 2] = 1.0
    out = transport(torch.zeros(1, 1, 4, 4), target_maps, source_features, target_features)
    assert out[0, 0, 1, 2] == 1.0 and out.sum() == 1.0


def test_shapes_on_tiny_images() -> None:
    model = Transporter(TINY)
    x = torch.rand(2, 3, 16, 16) * 2 - 1
    out = model(x, x.flip(0))
    assert out["reconstruction"].shape == (2, 3, 16, 16)
    assert out["source_keypoints"].shape == out["target_keypoints"].shape == (2, 3, 2)
    assert model.keypointer(x)["maps"].shape == (2, 3, 4, 4)
    assert model.keypoints(x).abs().max() <= 1.0


@pytest.mark.parametrize("kwargs", [{"num_keypoints": 0}, {"image_size": 18}, {"gaussian_std": 0.0}])
def test_bad_config_raises(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        TransporterConfig(**kwargs)


def _moving_square_dataset(n_episodes: int = 4, steps: int = 10, size: int = 16) -> FrameDataset:
    frames, episode, step = [], [], []
    for e in range(n_episodes):
        for t in range(steps):
            frame = np.full((size, size, 3), 40, np.uint8)
            x = (e * 3 + t) % (size - 4)
            frame[5:9, x : x + 4] = (250, 60, 60)
            frames.append(frame)
            episode.append(e)
            step.append(t)
    n = len(frames)
    return FrameDataset(
        np.stack(frames),
        np.array(episode, np.int32),
        np.array(step, np.int32),
        np.zeros((n, 1, 2), np.float32),
        ["square"],
    )


def test_pairs_come_from_one_episode() -> None:
    data = _moving_square_dataset()
    source, target = sample_pairs(data, 200, max_gap=3, rng=np.random.default_rng(0))
    assert np.all(data.episode[source] == data.episode[target])
    assert np.all(np.abs(source - target) <= 3)


def test_training_lowers_the_loss_and_round_trips(tmp_path: Path) -> None:
    data = _moving_square_dataset()
    config = TransporterTrainConfig(model=TINY, iterations=60, batch_size=8, log_every=10, sample_every=30)
    trainer = TransporterTrainer(config, device="cpu")
    frames = torch.from_numpy(data.frames).permute(0, 3, 1, 2).float() / 127.5 - 1
    with torch.no_grad():
        before = torch.nn.functional.mse_loss(
            trainer.model(frames[:8], frames[8:16])["reconstruction"], frames[8:16]
        )
    checkpoint = trainer.train(data, tmp_path / "run", progress=False)
    trainer.model.eval()
    with torch.no_grad():
        after = torch.nn.functional.mse_loss(
            trainer.model(frames[:8], frames[8:16])["reconstruction"], frames[8:16]
        )
    assert after < 0.5 * before
    assert (tmp_path / "run" / "log.jsonl").is_file() and list((tmp_path / "run" / "samples").glob("*.png"))

    detector = KeypointDetector.load(checkpoint, device="cpu")  # compared with the CPU model
    keypoints = detector(data.frames[:5])
    assert keypoints.shape == (5, 3, 2) and np.all((keypoints >= 0) & (keypoints <= 16))
    trainer.model.eval()
    expected = (trainer.model.keypoints(frames[:5]).detach().numpy() + 1) * 8
    np.testing.assert_allclose(keypoints, expected, atol=1e-4)
    # An inference-only export (no optimizer state) finds the same keypoints; it cannot be resumed.
    exported = detector.save(tmp_path / "small.pt")
    assert exported.stat().st_size < checkpoint.stat().st_size
    np.testing.assert_allclose(
        KeypointDetector.load(exported, device="cpu")(data.frames[:5]), keypoints, atol=1e-6
    )
    with pytest.raises(CheckpointError, match="inference-only"):
        TransporterTrainer(config).resume(exported)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_trained_on_the_gpu_finds_the_same_keypoints_on_the_cpu(tmp_path: Path) -> None:
    data = _moving_square_dataset()
    config = TransporterTrainConfig(model=TINY, iterations=10, batch_size=8, sample_every=5, log_every=5)
    trainer = TransporterTrainer(config, device="cuda")
    checkpoint = trainer.train(data, tmp_path / "run", progress=False)
    on_gpu = KeypointDetector.load(checkpoint, device="cuda")(data.frames[:8])
    on_cpu = KeypointDetector.load(checkpoint, device="cpu")(data.frames[:8])
    np.testing.assert_allclose(on_cpu, on_gpu, atol=1e-2)  # pixels: TF32 convolutions on the GPU
    longer = TransporterTrainConfig(model=TINY, iterations=14, batch_size=8, sample_every=5, log_every=5)
    resumed = TransporterTrainer(longer, device="cpu")  # a GPU run goes on on the CPU
    resumed.train(data, tmp_path / "run", resume=True, progress=False)
    assert resumed.iteration == 14


def test_resume_continues_where_it_stopped(tmp_path: Path) -> None:
    data = _moving_square_dataset()
    short = TransporterTrainConfig(model=TINY, iterations=10, batch_size=4, sample_every=5, log_every=2)
    TransporterTrainer(short).train(data, tmp_path / "run", progress=False)
    longer = TransporterTrainConfig(model=TINY, iterations=16, batch_size=4, sample_every=5, log_every=2)
    resumed = TransporterTrainer(longer)
    with pytest.raises(FileExistsError, match="--resume"):
        resumed.train(data, tmp_path / "run", progress=False)
    resumed.train(data, tmp_path / "run", resume=True, progress=False)
    assert resumed.iteration == 16
    records = read_jsonl(tmp_path / "run" / "log.jsonl")
    assert [r["iteration"] for r in records] == list(range(2, 17, 2))  # one log across both runs
    times = [r["time_s"] for r in records]
    assert times == sorted(times)  # the resumed run's clock goes on from the first run's


def test_checkpoint_errors(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        KeypointDetector.load(tmp_path / "missing.pt")
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="unreadable"):
        KeypointDetector.load(tmp_path / "garbage.pt")
    trainer = TransporterTrainer(TransporterTrainConfig(model=TINY))
    path = trainer.save(tmp_path / "tiny.pt")
    checkpoint = torch.load(path, weights_only=False)
    checkpoint["config"]["model"]["width"] = 8  # the weights no longer fit the model
    torch.save(checkpoint, tmp_path / "mismatch.pt")
    with pytest.raises(CheckpointError, match="does not fit"):
        KeypointDetector.load(tmp_path / "mismatch.pt")


def test_same_seed_same_weights(tmp_path: Path) -> None:
    """Reproducible training: the same config and seed give the same weights, whatever used
    torch's random stream before; another seed gives other weights."""
    data = _moving_square_dataset()

    def trained(name: str, seed: int) -> dict[str, torch.Tensor]:
        config = TransporterTrainConfig(model=TINY, iterations=8, batch_size=4, sample_every=4, seed=seed)
        trainer = TransporterTrainer(config, device="cpu")
        torch.rand(17)
        trainer.train(data, tmp_path / name, progress=False)
        return trainer.model.state_dict()

    first, second, other = trained("a", 0), trained("b", 0), trained("c", 1)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)
