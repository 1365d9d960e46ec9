"""A keypoint prior for translators: translated frames must show keypoints where robot frames do.

An image discriminator judges patches: a robot-domain frame with the arm and gripper painted
out still looks like a patch of table and wall, and that is how unpaired translators fail on a
demonstrator they find hard (measured: push translations that keep the block and drop the arm).
The robot's keypoint detector (a Transporter trained on robot frames only, frozen) sees the whole
arm: ``KeypointPrior`` adds a small discriminator on its K keypoints, real for robot frames and
fake for translated human frames, and the generator is trained to fool it too. No paired data
and no ground truth are used: it matches two distributions of keypoints, the quantity the
unpaired keypoint gap (``lbw.keypoints.gap``) measures.

    trainer = MUNITTrainer(...)
    trainer.attach_keypoint_prior(transporter, weight=1.0)   # before training or resuming
"""

from __future__ import annotations

import torch
from torch import nn

from lbw.keypoints.transporter import Transporter
from lbw.translation.layers import lsgan_discriminator_loss, lsgan_generator_loss


class KeypointPrior(nn.Module):
    """A frozen keypointer and an MLP discriminator on its keypoints (B, K·2) in [-1, 1]."""

    def __init__(self, transporter: Transporter, hidden: int = 64) -> None:
        super().__init__()
        self.transporter = transporter.eval()
        for parameter in self.transporter.parameters():
            parameter.requires_grad_(False)
        k = transporter.config.num_keypoints
        self.discriminator = nn.Sequential(
            nn.Linear(2 * k, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def keypoints(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, H, W) in [-1, 1] → keypoints (B, K·2), differentiable in the images."""
        return self.transporter.keypoints(images).flatten(1)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """Least-squares loss pushing translated frames' keypoints towards "real"."""
        return lsgan_generator_loss(self.discriminator(self.keypoints(fake)))

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """Robot frames' keypoints towards 1, translated frames' towards 0."""
        with torch.no_grad():
            real_kp, fake_kp = self.keypoints(real), self.keypoints(fake)
        return lsgan_discriminator_loss(self.discriminator(real_kp), self.discriminator(fake_kp))
