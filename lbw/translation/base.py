"""What the two translators share: a trainer with ``gen_update`` / ``dis_update`` /
``translate`` / ``sample`` / ``save`` / ``resume``, the training loop, and inference.

    lbw train-translator configs/push.yaml --model munit   # → runs/push/stages/translator_munit-…/
    lbw translate videos/push_human.mp4 --checkpoint models/push/translator_munit.pt --out t.mp4

    translator = Translator.load("models/push/translator_munit.pt")
    robot_like = translator(human_frames)   # uint8 (T, H, W, 3) → uint8 (T, 64, 64, 3)
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from lbw.checkpoint import CheckpointError, load_checkpoint, load_state, pick_device, save_checkpoint
from lbw.dataset import FrameDataset
from lbw.drawing import image_grid
from lbw.files import prepare_run_dir
from lbw.keypoints.transporter import Transporter
from lbw.logs import TrainingLog
from lbw.runtime import reproducible, to_frames, to_tensor
from lbw.translation.augment import jitter_colours
from lbw.translation.keypoint_prior import KeypointPrior
from lbw.video import resize

CHECKPOINT_NAME = "translator.pt"
SNAPSHOTS = "snapshots"  # inference-only checkpoints, one per sample grid: iter_000500.pt, …


@dataclass
class TranslatorTrainConfig:
    iterations: int = 4000  # discriminator + generator updates (≥ 1)
    batch_size: int = 4  # frames of each domain per update (≥ 1)
    image_size: int = 64  # frames are resized to this square size, a multiple of 4 (≥ 16)
    seed: int = 0  # seeds torch and the batch sampler
    log_every: int = 50  # iterations between log lines
    sample_every: int = 500  # iterations between sample grids and checkpoints
    style_frames: int = 256  # robot frames whose mean style MUNIT renders with (≥ 1)
    colour_jitter: float = 0.0  # strength of the human frames' colour jitter (translation.augment); 0: none
    task: str | None = None  # the task whose frames it learns: a run of another task refuses it


class TranslatorTrainer(ABC):
    """Unpaired human (domain a) → robot (domain b) translation, trained adversarially."""

    kind: ClassVar[str]
    config_type: ClassVar[type]
    # Whether an inference checkpoint can translate robot frames back (``to_human``).
    translates_back: ClassVar[bool] = False

    def __init__(
        self, config: Any = None, train: TranslatorTrainConfig | None = None, device: str | None = None
    ) -> None:
        self.config = config or self.config_type()
        self.train_config = train or TranslatorTrainConfig()
        self.device = pick_device(device)
        torch.manual_seed(self.train_config.seed)
        self.keypoint_prior: KeypointPrior | None = None
        self.keypoint_prior_weight = 0.0
        self.build()
        for network in self.networks().values():
            network.to(self.device)
        self.iteration = 0

    def attach_keypoint_prior(self, transporter: Transporter, weight: float) -> None:
        """Train against a ``KeypointPrior`` on ``transporter``'s keypoints too, with ``weight``
        on its generator loss (``train/gen_keypoints``); attach before training or resuming."""
        self.keypoint_prior = KeypointPrior(transporter).to(self.device)
        self.keypoint_prior_weight = weight
        self.dis_opt.add_param_group({"params": list(self.keypoint_prior.discriminator.parameters())})

    def prior_networks(self) -> dict[str, nn.Module]:
        """The keypoint prior's discriminator, when attached (checkpointed with the others)."""
        return {} if self.keypoint_prior is None else {"dis_keypoints": self.keypoint_prior.discriminator}

    def add_prior_loss(
        self, losses: dict[str, torch.Tensor], weights: dict[str, float], x_ab: torch.Tensor
    ) -> None:
        """Add the keypoint prior's generator loss on translated frames ``x_ab``, if attached."""
        if self.keypoint_prior is not None:
            losses["keypoints"] = self.keypoint_prior.generator_loss(x_ab)
            weights["keypoints"] = self.keypoint_prior_weight

    def prior_discriminator_loss(self, x_b: torch.Tensor, x_ab: torch.Tensor) -> torch.Tensor | float:
        """The keypoint prior's discriminator loss (0 when none is attached)."""
        return 0.0 if self.keypoint_prior is None else self.keypoint_prior.discriminator_loss(x_b, x_ab)

    # ------------------------------------------------------------------ what a model defines
    @abstractmethod
    def build(self) -> None:
        """Create the networks and optimisers from ``self.config``."""

    @abstractmethod
    def gen_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        """One generator step on batches (B, 3, H, W) in [-1, 1]; returns ``train/…`` losses."""

    @abstractmethod
    def dis_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        """One discriminator step; returns ``train/…`` losses."""

    @abstractmethod
    def translate(self, x_a: torch.Tensor) -> torch.Tensor:
        """Human images (B, 3, H, W) → robot-domain images, same shape, in [-1, 1]."""

    def to_human(self, x_b: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Robot images (B, 3, H, W) → human-domain images, the way back of a round trip
        (``Translator.round_trip``); only where ``translates_back``."""
        raise NotImplementedError(f"a {self.kind} checkpoint does not translate back")

    @abstractmethod
    def networks(self) -> dict[str, nn.Module]: ...

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"gen_opt": self.gen_opt, "dis_opt": self.dis_opt}

    def build_optimizers(
        self,
        generators: list[nn.Module],
        discriminators: list[nn.Module],
        learning_rate: float,
        betas: tuple[float, float],
    ) -> None:
        """One Adam for both generators, one for both discriminators."""
        self.gen_opt = torch.optim.Adam(
            [p for g in generators for p in g.parameters()], lr=learning_rate, betas=betas
        )
        self.dis_opt = torch.optim.Adam(
            [p for d in discriminators for p in d.parameters()], lr=learning_rate, betas=betas
        )

    def generator_step(self, losses: dict[str, torch.Tensor], weights: dict[str, float]) -> dict[str, float]:
        """Descend on the weighted sum of the generator losses; log each one (``train/gen_…``)."""
        total = sum(weights[k] * v for k, v in losses.items())
        self.gen_opt.zero_grad(set_to_none=True)
        total.backward()
        self.gen_opt.step()
        return {"train/gen_total": total.item(), **{f"train/gen_{k}": v.item() for k, v in losses.items()}}

    def discriminator_step(self, loss: torch.Tensor) -> dict[str, float]:
        """Descend on the discriminators' loss (``train/dis_total``)."""
        self.dis_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.dis_opt.step()
        return {"train/dis_total": loss.item()}

    def extras(self) -> dict[str, torch.Tensor]:
        """Tensors besides the networks that a checkpoint keeps."""
        return {}

    def load_extras(self, extras: dict[str, torch.Tensor]) -> None:
        """Restore ``extras``."""
        return None

    def fit_style(self, x_b: torch.Tensor) -> None:
        """Adapt to the robot domain's look before translating (MUNIT's style code)."""
        return None

    # ---------------------------------------------------------------------------- shared
    def eval(self) -> TranslatorTrainer:
        for network in self.networks().values():
            network.eval()
        return self

    def train_mode(self) -> None:
        for network in self.networks().values():
            network.train()

    @torch.no_grad()
    def sample(self, x_a: torch.Tensor, x_b: torch.Tensor) -> np.ndarray:
        """A picture, uint8: human frames | their translation | real robot frames, as rows."""
        self.eval()
        rows = [to_frames(x_a), to_frames(self.translate(x_a)), to_frames(x_b)]
        self.train_mode()
        return image_grid(rows)

    def inference_networks(self) -> dict[str, nn.Module]:
        """The networks ``translate`` uses (an inference-only checkpoint holds only these)."""
        return self.networks()

    def save(self, path: str | os.PathLike, inference_only: bool = False) -> Path:
        """A checkpoint to resume from, or (``inference_only``) just what translating needs."""
        networks = self.inference_networks() if inference_only else self.networks()
        return save_checkpoint(
            path,
            self.kind,
            config=asdict(self.config),
            train_config=asdict(self.train_config),
            iteration=self.iteration,
            networks={k: v.state_dict() for k, v in networks.items()},
            optimizers={} if inference_only else {k: v.state_dict() for k, v in self.optimizers().items()},
            extras={k: v.cpu() for k, v in self.extras().items()},
            inference_only=inference_only,
        )

    def resume(self, path: str | os.PathLike) -> None:
        checkpoint = load_checkpoint(path, self.kind)
        if checkpoint.get("inference_only"):
            raise CheckpointError(f"{path}: an inference-only checkpoint cannot be resumed")
        networks = self.networks()
        extra = sorted(set(checkpoint["networks"]) - set(networks))
        if extra:
            raise CheckpointError(
                f"{path}: checkpoint has networks this trainer lacks ({', '.join(extra)}): "
                "attach its keypoint prior (translator.keypoint_prior) before resuming"
            )
        self._load(checkpoint, path, networks)
        for name, optimizer in self.optimizers().items():
            optimizer.load_state_dict(checkpoint["optimizers"][name])
        self.iteration = checkpoint["iteration"]

    def _load(
        self, checkpoint: dict[str, Any], source: str | os.PathLike, networks: dict[str, nn.Module]
    ) -> None:
        for name, network in networks.items():
            if name not in checkpoint["networks"]:
                raise CheckpointError(f"{source}: checkpoint has no {name} network")
            load_state(network, checkpoint["networks"][name], source)
        self.load_extras(checkpoint["extras"])

    def train(
        self,
        human: FrameDataset,
        robot: FrameDataset,
        run_dir: str | os.PathLike,
        resume: bool = False,
        overwrite: bool = False,
        progress: bool = True,
        tensorboard: bool = False,
    ) -> Path:
        """Train to ``train_config.iterations`` in ``run_dir``; returns the checkpoint path.
        ``tensorboard``: log losses and sample grids there too (``lbw.logs``)."""
        t = self.train_config
        run_dir = prepare_run_dir(run_dir, resume=resume, overwrite=overwrite)
        checkpoint = run_dir / CHECKPOINT_NAME
        if resume and checkpoint.exists():
            self.resume(checkpoint)
        with reproducible(t.seed, self.iteration):
            frames_a = to_tensor(resize(human.frames, t.image_size))
            frames_b = to_tensor(resize(robot.frames, t.image_size))
            rng = np.random.default_rng([t.seed, self.iteration])
            fixed_a = frames_a[rng.integers(0, len(frames_a), 8)].to(self.device)
            fixed_b = frames_b[rng.integers(0, len(frames_b), 8)].to(self.device)
            log = TrainingLog(run_dir, tensorboard)
            for folder in ("samples", SNAPSHOTS):
                (run_dir / folder).mkdir(exist_ok=True)
            self.train_mode()
            bar = tqdm(
                total=t.iterations, initial=self.iteration, desc=f"train {self.kind}", disable=not progress
            )
            while self.iteration < t.iterations:
                x_a = frames_a[rng.integers(0, len(frames_a), t.batch_size)].to(self.device)
                x_b = frames_b[rng.integers(0, len(frames_b), t.batch_size)].to(self.device)
                x_a = jitter_colours(x_a, t.colour_jitter, rng)
                metrics = {**self.dis_update(x_a, x_b), **self.gen_update(x_a, x_b)}
                self.iteration += 1
                bar.update(1)
                if self.iteration % t.log_every == 0 or self.iteration == t.iterations:
                    log.scalars(self.iteration, metrics)
                    bar.set_postfix(
                        gen=f"{metrics['train/gen_total']:.3f}", dis=f"{metrics['train/dis_total']:.3f}"
                    )
                if self.iteration % t.sample_every == 0 or self.iteration == t.iterations:
                    self._fit_style(frames_b, rng)
                    self.save(checkpoint)
                    # Translators differ a lot from one checkpoint to the next: keep each to choose from.
                    self.save(run_dir / SNAPSHOTS / f"iter_{self.iteration:06d}.pt", inference_only=True)
                    path = run_dir / "samples" / f"iter_{self.iteration:06d}.png"
                    log.image(
                        "samples/human|translated|robot", self.iteration, self.sample(fixed_a, fixed_b), path
                    )
            bar.close()  # the last iteration saved the checkpoint (and its snapshot) above
            log.close()
        return checkpoint

    def _fit_style(self, frames_b: torch.Tensor, rng: np.random.Generator) -> None:
        self.eval()
        self.fit_style(
            frames_b[rng.integers(0, len(frames_b), self.train_config.style_frames)].to(self.device)
        )
        self.train_mode()


def trainer_class(kind: str) -> type[TranslatorTrainer]:
    """The trainer of a translator kind: ``"munit"`` or ``"cyclegan"``."""
    from lbw.translation.cyclegan import CycleGANTrainer
    from lbw.translation.munit import MUNITTrainer

    classes = {"munit": MUNITTrainer, "cyclegan": CycleGANTrainer}
    if kind not in classes:
        raise ValueError(f"unknown translator {kind!r}; choose from {', '.join(classes)}")
    return classes[kind]


class Translator:
    """A trained translator for inference: human frames in, robot-domain frames out."""

    def __init__(self, trainer: TranslatorTrainer) -> None:
        self.trainer = trainer.eval()
        self.image_size = trainer.train_config.image_size
        self.kind = trainer.kind
        self.task = trainer.train_config.task  # None for a checkpoint that did not record it

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> Translator:
        """A ``munit`` or ``cyclegan`` checkpoint, or a consensus of several (a ``.json``:
        ``lbw.translation.consensus``, the same inference interface)."""
        if Path(path).suffix == ".json":
            from lbw.translation.consensus import ConsensusTranslator

            return ConsensusTranslator.load(path, device)  # type: ignore[return-value]
        checkpoint = load_checkpoint(path, ("munit", "cyclegan"))
        trainer_type = trainer_class(checkpoint["kind"])
        trainer = trainer_type(
            trainer_type.config_type(**checkpoint["config"]),
            TranslatorTrainConfig(**checkpoint["train_config"]),
            device=device,
        )
        trainer._load(checkpoint, path, trainer.inference_networks())
        return cls(trainer)

    def save(self, path: str | os.PathLike) -> Path:
        """An inference-only checkpoint (no discriminators, no optimizer state): small enough to ship."""
        return self.trainer.save(path, inference_only=True)

    @torch.inference_mode()
    def __call__(self, frames: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """uint8 (T, H, W, 3) → uint8 (T, S, S, 3), S = the model's image size."""
        return self._batched(frames, self.trainer.translate, batch_size)

    @torch.inference_mode()
    def round_trip(self, frames: np.ndarray, seed: int = 0, batch_size: int = 64) -> np.ndarray | None:
        """uint8 robot frames (T, H, W, 3) → the human domain → back: uint8 (T, S, S, 3), to
        compare with the frames themselves (``lbw.keypoints.gap.round_trip_error``). None for a
        translator that cannot translate back (a CycleGAN checkpoint keeps one direction)."""
        if not self.trainer.translates_back:
            return None
        generator = torch.Generator().manual_seed(seed)
        trainer = self.trainer
        return self._batched(frames, lambda x: trainer.translate(trainer.to_human(x, generator)), batch_size)

    def _batched(
        self, frames: np.ndarray, images: Callable[[torch.Tensor], torch.Tensor], batch_size: int
    ) -> np.ndarray:
        """uint8 frames, resized to the model's size, through ``images`` (tensors in [-1, 1]) in batches."""
        frames = resize(frames, self.image_size)
        out = [
            to_frames(images(to_tensor(frames[i : i + batch_size], self.trainer.device)))
            for i in range(0, len(frames), batch_size)
        ]
        return np.concatenate(out)
