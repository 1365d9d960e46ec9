"""MUNIT and CycleGAN: shapes on tiny images, a few steps that lower the loss, checkpoints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lbw.checkpoint import CheckpointError
from lbw.dataset import FrameDataset
from lbw.translation import (
    CycleGANConfig,
    CycleGANTrainer,
    MUNITConfig,
    MUNITTrainer,
    Translator,
    TranslatorTrainConfig,
    trainer_class,
)
from lbw.translation.base import SNAPSHOTS
from lbw.translation.consensus import consensus_choice, second_half
from lbw.translation.layers import MultiScaleDiscriminator
from lbw.translation.munit import Generator

TINY = {
    "munit": MUNITConfig(width=4, style_dim=2, mlp_dim=8, num_res=1, disc_width=4),
    "cyclegan": CycleGANConfig(width=4, num_res=1, disc_width=4),
}
TRAIN = TranslatorTrainConfig(
    iterations=6, batch_size=2, image_size=16, sample_every=3, log_every=2, style_frames=4
)


def _trainer(kind: str, train: TranslatorTrainConfig = TRAIN):
    return trainer_class(kind)(TINY[kind], train, device="cpu")


def _domain(colour: tuple[int, int, int], n: int = 12, size: int = 16) -> FrameDataset:
    rng = np.random.default_rng(sum(colour))
    frames = np.empty((n, size, size, 3), np.uint8)
    frames[:] = colour
    for i in range(n):
        x = rng.integers(0, size - 4)
        frames[i, 6:10, x : x + 4] = 255
    zeros = np.zeros(n, np.int32)
    return FrameDataset(frames, zeros, zeros, np.zeros((n, 0, 2), np.float32), [])


def test_munit_shapes() -> None:
    generator = Generator(TINY["munit"])
    x = torch.rand(3, 3, 16, 16) * 2 - 1
    content, style = generator.encode(x)
    assert content.shape == (3, 16, 4, 4) and style.shape == (3, 2)
    assert generator.decode(content, style).shape == x.shape
    scores = MultiScaleDiscriminator(4, scales=2)(x)
    assert [s.shape for s in scores] == [(3, 1, 2, 2), (3, 1, 1, 1)]


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_translate_shape_and_range(kind: str) -> None:
    trainer = _trainer(kind)
    out = trainer.translate(torch.rand(2, 3, 16, 16) * 2 - 1)
    assert out.shape == (2, 3, 16, 16) and out.abs().max() <= 1.0


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_round_trip_shape_or_none(kind: str) -> None:
    frames = _domain((40, 90, 200)).frames[:5]
    back = Translator(_trainer(kind)).round_trip(frames, seed=3)
    if kind == "cyclegan":  # its inference checkpoint keeps one direction only
        assert back is None
        return
    assert back.shape == (5, 16, 16, 3) and back.dtype == np.uint8
    # Seeded: the same human styles on the way, the same frames back.
    np.testing.assert_array_equal(Translator(_trainer(kind)).round_trip(frames, seed=3), back)


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_a_few_steps_lower_the_generator_loss(kind: str) -> None:
    torch.manual_seed(0)
    trainer = _trainer(kind)
    a = torch.from_numpy(_domain((200, 120, 60)).frames).permute(0, 3, 1, 2).float() / 127.5 - 1
    b = torch.from_numpy(_domain((120, 120, 130)).frames).permute(0, 3, 1, 2).float() / 127.5 - 1
    losses = []
    for _ in range(30):
        trainer.dis_update(a[:4], b[:4])
        losses.append(trainer.gen_update(a[:4], b[:4]))
    key = "train/gen_recon_x" if kind == "munit" else "train/gen_cycle"
    assert np.mean([m[key] for m in losses[-5:]]) < 0.7 * np.mean([m[key] for m in losses[:5]])


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_train_save_resume_and_translate(kind: str, tmp_path: Path) -> None:
    human, robot = _domain((200, 120, 60)), _domain((120, 120, 130))
    checkpoint = _trainer(kind).train(human, robot, tmp_path / "run", progress=False)
    assert list((tmp_path / "run" / "samples").glob("*.png"))
    snapshots = sorted((tmp_path / "run" / SNAPSHOTS).glob("iter_*.pt"))
    assert [p.name for p in snapshots] == ["iter_000003.pt", "iter_000006.pt"]
    np.testing.assert_array_equal(
        Translator.load(snapshots[-1])(human.frames[:3]), Translator.load(checkpoint)(human.frames[:3])
    )

    longer = TranslatorTrainConfig(**{**TRAIN.__dict__, "iterations": 9})
    resumed = _trainer(kind, longer)
    resumed.resume(checkpoint)
    assert resumed.iteration == 6
    resumed.train(human, robot, tmp_path / "run", resume=True, progress=False)
    assert resumed.iteration == 9

    translator = Translator.load(checkpoint)
    assert translator.kind == kind
    out = translator(human.frames[:3])
    assert out.shape == (3, 16, 16, 3) and out.dtype == np.uint8
    # Inference is deterministic: MUNIT renders with one fixed robot style.
    np.testing.assert_array_equal(out, translator(human.frames[:3]))
    # An inference-only export is smaller, translates the same, and cannot be resumed.
    exported = translator.save(tmp_path / "small.pt")
    assert exported.stat().st_size < 0.5 * checkpoint.stat().st_size
    np.testing.assert_array_equal(Translator.load(exported)(human.frames[:3]), out)
    with pytest.raises(CheckpointError, match="inference-only"):
        _trainer(kind).resume(exported)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_trained_on_the_gpu_translates_alike_on_the_cpu(kind: str, tmp_path: Path) -> None:
    human, robot = _domain((200, 120, 60)), _domain((120, 120, 130))
    trainer = trainer_class(kind)(TINY[kind], TRAIN, device="cuda")
    checkpoint = trainer.train(human, robot, tmp_path / "run", progress=False)
    on_gpu = Translator.load(checkpoint, device="cuda")(human.frames[:4]).astype(int)
    on_cpu = Translator.load(checkpoint, device="cpu")(human.frames[:4]).astype(int)
    assert np.abs(on_gpu - on_cpu).max() <= 2  # uint8 levels: float rounding differs, nothing else
    longer = TranslatorTrainConfig(**{**TRAIN.__dict__, "iterations": 9})
    resumed = trainer_class(kind)(TINY[kind], longer, device="cpu")
    resumed.train(human, robot, tmp_path / "run", resume=True, progress=False)
    assert resumed.iteration == 9


def test_checkpoint_errors(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        Translator.load(tmp_path / "missing.pt")
    munit = _trainer("munit").save(tmp_path / "munit.pt")
    with pytest.raises(CheckpointError, match="a munit checkpoint, expected cyclegan"):
        _trainer("cyclegan").resume(munit)
    wider = MUNITTrainer(MUNITConfig(width=8, style_dim=2, mlp_dim=8, num_res=1, disc_width=4), TRAIN)
    with pytest.raises(CheckpointError, match="does not fit"):
        wider.resume(munit)
    with pytest.raises(ValueError, match="unknown translator"):
        trainer_class("pix2pix")
    assert isinstance(_trainer("cyclegan"), CycleGANTrainer)


def test_consensus_outvotes_a_member_that_loses_the_pose() -> None:
    """Per frame, the member nearest the median of all members' keypoints: never a lone outlier."""
    rng = np.random.default_rng(0)
    pose = rng.uniform(0, 16, (5, 3, 2))  # (T, K, 2)
    members = np.stack([pose + rng.normal(0, 0.1, pose.shape) for _ in range(4)])  # (M, T, K, 2)
    members[2, 1:4] += 8.0  # member 2 loses the pose on frames 1-3
    choice = consensus_choice(members)
    assert choice.shape == (5,) and 2 not in choice[1:4]
    assert (consensus_choice(members[:1]) == 0).all()


def test_consensus_checkpoint_errors_and_members(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text('{"kind": "munit"}')
    with pytest.raises(CheckpointError, match="kind 'consensus', got 'munit'"):
        Translator.load(tmp_path / "other.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(CheckpointError, match="not a readable consensus checkpoint"):
        Translator.load(tmp_path / "broken.json")
    with pytest.raises(CheckpointError, match="not a readable consensus checkpoint"):
        Translator.load(tmp_path / "missing.json")
    (tmp_path / "empty.json").write_text('{"kind": "consensus"}')
    with pytest.raises(CheckpointError, match="names its members and keypoints"):
        Translator.load(tmp_path / "empty.json")
    snapshots = [Path(f"iter_{i:06d}.pt") for i in (500, 1000, 1500, 2000)]
    assert second_half(snapshots, 2000) == snapshots[1:]


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_same_seed_same_weights(kind: str, tmp_path: Path) -> None:
    """Reproducible training: the same config and seed give the same weights, whatever used
    torch's random stream before; another seed gives other weights."""
    human, robot = _domain((200, 150, 120)), _domain((90, 90, 100))

    def trained(name: str, seed: int) -> dict[str, torch.Tensor]:
        trainer = _trainer(kind, TranslatorTrainConfig(**{**TRAIN.__dict__, "seed": seed}))
        torch.rand(17)  # someone else draws from the global stream between build and training
        trainer.train(human, robot, tmp_path / name, progress=False)
        return {k: v for n in trainer.networks().values() for k, v in n.state_dict().items()}

    first, second, other = trained("a", 0), trained("b", 0), trained("c", 1)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


@pytest.mark.parametrize("kind", ["munit", "cyclegan"])
def test_keypoint_prior_trains_saves_and_resumes(kind: str, tmp_path: Path) -> None:
    from lbw.keypoints import Transporter, TransporterConfig

    transporter = Transporter(TransporterConfig(num_keypoints=3, width=4, image_size=16))
    frozen = {k: v.clone() for k, v in transporter.state_dict().items()}
    trainer = _trainer(kind)
    trainer.attach_keypoint_prior(transporter, weight=2.0)
    human, robot = _domain((200, 150, 120)), _domain((90, 90, 100))
    x_a, x_b = (
        torch.from_numpy(d.frames[:2]).permute(0, 3, 1, 2).float() / 127.5 - 1 for d in (human, robot)
    )
    assert "train/gen_keypoints" in trainer.gen_update(x_a, x_b)
    checkpoint = trainer.train(human, robot, tmp_path / "run", progress=False)
    assert all(
        torch.equal(frozen[k], v) for k, v in transporter.state_dict().items()
    )  # the detector stays as it is
    resumed = _trainer(kind, TranslatorTrainConfig(**{**TRAIN.__dict__, "iterations": 9}))
    with pytest.raises(CheckpointError, match="dis_keypoints"):
        resumed.resume(checkpoint)  # a checkpoint with a prior needs the prior attached
    resumed.attach_keypoint_prior(transporter, weight=2.0)
    resumed.resume(checkpoint)
    assert resumed.iteration == TRAIN.iterations
    Translator.load(checkpoint)  # translating needs no prior


def test_colour_jitter_turns_hues_keeps_greys_and_is_seeded() -> None:
    from lbw.translation.augment import hue_rotation, jitter_colours

    rotations = hue_rotation(torch.tensor([0.0, 1.0, -2.5]))
    assert torch.allclose(rotations[0], torch.eye(3), atol=1e-6)
    assert torch.allclose(rotations @ rotations.transpose(1, 2), torch.eye(3).expand(3, 3, 3), atol=1e-5)
    grey = torch.ones(3) / 3**0.5
    assert torch.allclose(rotations @ grey, grey.expand(3, 3), atol=1e-6)  # greys stay grey
    red = hue_rotation(torch.tensor([2 * np.pi / 3])) @ torch.tensor([1.0, 0.0, 0.0])
    assert torch.allclose(red, torch.tensor([0.0, 1.0, 0.0]), atol=1e-5)  # 120°: red → green

    frames = torch.rand(6, 3, 8, 8) * 2 - 1
    rng = np.random.default_rng(0)
    assert jitter_colours(frames, 0.0, rng) is frames and rng.random() == np.random.default_rng(0).random()
    first = jitter_colours(frames, 0.5, np.random.default_rng(1))
    again = jitter_colours(frames, 0.5, np.random.default_rng(1))
    assert first.shape == frames.shape and first.min() >= -1 and first.max() <= 1
    assert torch.equal(first, again) and not torch.allclose(first, frames)
    # Each frame its own colours: the same frame twice comes out twice differently.
    twice = jitter_colours(frames[:1].repeat(2, 1, 1, 1), 0.5, np.random.default_rng(2))
    assert not torch.allclose(twice[0], twice[1])


def test_colour_jitter_changes_training_and_names_its_stage(tmp_path: Path) -> None:
    from lbw.config import ConfigError, load_config
    from lbw.stages.build import _training_keys, stage_folder

    human, robot = _domain((200, 150, 120)), _domain((90, 90, 100))

    def trained(name: str, jitter: float) -> dict[str, torch.Tensor]:
        trainer = _trainer("munit", TranslatorTrainConfig(**{**TRAIN.__dict__, "colour_jitter": jitter}))
        trainer.train(human, robot, tmp_path / name, progress=False)
        return {k: v for n in trainer.networks().values() for k, v in n.state_dict().items()}

    plain, jittered = trained("plain", 0.0), trained("jittered", 0.5)
    assert not all(torch.equal(plain[k], jittered[k]) for k in plain)
    # A jittered training is another stage; one without jitter keeps the name it had before
    # the key existed (the key is left out of what names it).
    base = load_config(None, ["task=reach", "translator.keypoint_prior=0"])
    other = load_config(None, ["task=reach", "translator.keypoint_prior=0", "translator.colour_jitter=0.5"])
    assert stage_folder(base, "translator_munit") != stage_folder(other, "translator_munit")
    assert "colour_jitter" not in _training_keys(base.translator)
    assert _training_keys(other.translator)["colour_jitter"] == 0.5
    with pytest.raises(ConfigError, match="translator.colour_jitter"):
        load_config(None, ["translator.colour_jitter=2"])
