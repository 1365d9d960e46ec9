"""Training the Transporter on robot-domain frames, and applying it to clips.

    lbw train-keypoints configs/push.yaml           # → runs/push/stages/keypoints-…/transporter.pt
    lbw keypoints videos/push_robot.mp4 --checkpoint models/push/transporter.pt \
        --out traj.npy --overlay overlay.mp4

    trainer = TransporterTrainer(TransporterTrainConfig())
    trainer.train(load_frames("data/push_robot.npz"), "runs/push/keypoints")
    detector = KeypointDetector.load("runs/push/keypoints/transporter.pt")
    detector(frames)  # uint8 (T, H, W, 3) → keypoints (T, K, 2) in pixels
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from lbw.checkpoint import CheckpointError, load_checkpoint, load_state, pick_device, save_checkpoint
from lbw.dataset import FrameDataset
from lbw.drawing import draw_keypoints, image_grid
from lbw.files import prepare_run_dir
from lbw.keypoints.transporter import Transporter, TransporterConfig, to_pixels
from lbw.logs import TrainingLog
from lbw.runtime import reproducible, to_frames, to_tensor
from lbw.video import resize

CHECKPOINT_KIND = "transporter"
CHECKPOINT_NAME = "transporter.pt"


@dataclass
class TransporterTrainConfig:
    model: TransporterConfig = field(default_factory=TransporterConfig)
    iterations: int = 2500  # gradient steps (≥ 1)
    batch_size: int = 16  # frame pairs per step (≥ 1)
    learning_rate: float = 1e-3  # Adam step size (> 0)
    max_frame_gap: int = 20  # source and target are at most this many steps apart in one episode (≥ 1)
    seed: int = 0  # seeds torch and the pair sampler
    log_every: int = 50  # iterations between log lines
    sample_every: int = 500  # iterations between sample pictures and checkpoints
    task: str | None = None  # the task whose frames it learns: a run of another task refuses it


def sample_pairs(
    dataset: FrameDataset, batch_size: int, max_gap: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (source, target) of frames of the same episode, 1 … max_gap steps apart."""
    n = len(dataset)
    source = rng.integers(0, n, size=batch_size)
    offset = rng.integers(1, max_gap + 1, size=batch_size) * rng.choice([-1, 1], size=batch_size)
    target = np.clip(source + offset, 0, n - 1)
    same = dataset.episode[target] == dataset.episode[source]
    target = np.where(same, target, source)  # at an episode boundary: the frame itself
    return source, target


class TransporterTrainer:
    """Owns the model and its optimiser: ``update``, ``train``, ``save``, ``resume``."""

    def __init__(self, config: TransporterTrainConfig | None = None, device: str | None = None) -> None:
        self.config = config or TransporterTrainConfig()
        self.device = pick_device(device)
        torch.manual_seed(self.config.seed)
        self.model = Transporter(self.config.model).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.config.learning_rate)
        self.iteration = 0

    def update(self, source: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
        """One gradient step on a batch of pairs (B, 3, H, W) in [-1, 1]."""
        self.model.train()
        out = self.model(source, target)
        loss = F.mse_loss(out["reconstruction"], target)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.iteration += 1
        return {"train/reconstruction_mse": loss.item()}

    def save(self, path: str | os.PathLike) -> Path:
        return save_checkpoint(
            path,
            CHECKPOINT_KIND,
            config=asdict(self.config),
            iteration=self.iteration,
            model=self.model.state_dict(),
            optimizer=self.optimizer.state_dict(),
        )

    def resume(self, path: str | os.PathLike) -> None:
        checkpoint = load_checkpoint(path, CHECKPOINT_KIND)
        if "optimizer" not in checkpoint:
            raise CheckpointError(f"{path}: an inference-only checkpoint cannot be resumed")
        load_state(self.model, checkpoint["model"], path)
        self.optimizer.load_state_dict(checkpoint["optimizer"])
        self.iteration = checkpoint["iteration"]

    def train(
        self,
        dataset: FrameDataset,
        run_dir: str | os.PathLike,
        resume: bool = False,
        overwrite: bool = False,
        progress: bool = True,
        tensorboard: bool = False,
    ) -> Path:
        """Train to ``config.iterations`` in ``run_dir``; returns the checkpoint path.
        ``tensorboard``: log losses and sample pictures there too (``lbw.logs``)."""
        c = self.config
        size = c.model.image_size
        run_dir = prepare_run_dir(run_dir, resume=resume, overwrite=overwrite)
        checkpoint = run_dir / CHECKPOINT_NAME
        if resume and checkpoint.exists():
            self.resume(checkpoint)
        with reproducible(c.seed, self.iteration):
            frames = to_tensor(resize(dataset.frames, size))  # the whole set fits in memory at 64 px
            rng = np.random.default_rng([c.seed, self.iteration])
            log = TrainingLog(run_dir, tensorboard)
            (run_dir / "samples").mkdir(exist_ok=True)
            bar = tqdm(
                total=c.iterations, initial=self.iteration, desc="train keypoints", disable=not progress
            )
            while self.iteration < c.iterations:
                source, target = sample_pairs(dataset, c.batch_size, c.max_frame_gap, rng)
                metrics = self.update(frames[source].to(self.device), frames[target].to(self.device))
                bar.update(1)
                if self.iteration % c.log_every == 0 or self.iteration == c.iterations:
                    log.scalars(self.iteration, metrics)
                    bar.set_postfix(mse=f"{metrics['train/reconstruction_mse']:.4f}")
                if self.iteration % c.sample_every == 0 or self.iteration == c.iterations:
                    self.save(checkpoint)
                    path = run_dir / "samples" / f"iter_{self.iteration:06d}.png"
                    log.image(
                        "samples/source|target|reconstruction",
                        self.iteration,
                        self._sample(frames, rng),
                        path,
                    )
            bar.close()
            log.close()
        self.save(checkpoint)
        return checkpoint

    @torch.no_grad()
    def _sample(self, frames: torch.Tensor, rng: np.random.Generator) -> np.ndarray:
        """A picture, uint8 (H, W, 3). Rows: source with keypoints | target with keypoints |
        reconstruction."""
        self.model.eval()
        source, target = (frames[rng.integers(0, len(frames), 6)].to(self.device) for _ in range(2))
        out = self.model(source, target)
        size = self.config.model.image_size
        scale = max(1, 128 // size)
        rows = [
            draw_keypoints(to_frames(source), to_pixels(out["source_keypoints"], size).cpu().numpy(), scale),
            draw_keypoints(to_frames(target), to_pixels(out["target_keypoints"], size).cpu().numpy(), scale),
            draw_keypoints(to_frames(out["reconstruction"]), np.full((6, 0, 2), np.nan), scale),
        ]
        return image_grid(rows)


class KeypointDetector:
    """A trained keypointer for inference: frames in, pixel keypoints out."""

    def __init__(self, model: Transporter, device: torch.device, task: str | None = None) -> None:
        self.model = model.eval()
        self.device = device
        self.image_size = model.config.image_size
        self.num_keypoints = model.config.num_keypoints
        self.task = task  # None for a checkpoint that did not record it

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> KeypointDetector:
        checkpoint = load_checkpoint(path, CHECKPOINT_KIND)
        model_config = TransporterConfig(**checkpoint["config"]["model"])
        model = Transporter(model_config)
        load_state(model, checkpoint["model"], path)
        resolved = pick_device(device)
        return cls(model.to(resolved), resolved, checkpoint["config"].get("task"))

    def fingerprint(self) -> str:
        """A hash of the model's config and weights: equal for detectors that compute the same."""
        digest = hashlib.sha256(repr(asdict(self.model.config)).encode())
        for name, tensor in self.model.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()[:16]

    def save(self, path: str | os.PathLike) -> Path:
        """An inference-only checkpoint (no optimizer state): small enough to ship."""
        config = {"model": asdict(self.model.config), "task": self.task}
        return save_checkpoint(path, CHECKPOINT_KIND, config=config, model=self.model.state_dict())

    @torch.inference_mode()
    def __call__(self, frames: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """uint8 (T, H, W, 3), any H = W → keypoints (T, K, 2) as pixel (u, v) of a frame
        resized to the model's size."""
        frames = resize(frames, self.image_size)
        out = [
            self.model.keypoints(to_tensor(frames[i : i + batch_size], self.device))
            for i in range(0, len(frames), batch_size)
        ]
        return to_pixels(torch.cat(out), self.image_size).cpu().numpy()
