"""CycleGAN (Zhu et al., 2017): unpaired translation with two ResNet generators, PatchGAN
discriminators, and cycle-consistency and identity losses. Domain a: human, b: robot.

    trainer = CycleGANTrainer(CycleGANConfig())
    trainer.dis_update(x_a, x_b); trainer.gen_update(x_a, x_b)   # (B, 3, 64, 64) in [-1, 1]
    trainer.translate(x_a)                                          # human → robot
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lbw.translation.base import TranslatorTrainer
from lbw.translation.layers import (
    PatchDiscriminator,
    ResBlock,
    conv_block,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
)


@dataclass
class CycleGANConfig:
    width: int = 16  # channels of the generators' first conv; the bottleneck has 4 × width (≥ 4)
    num_res: int = 4  # residual blocks at the bottleneck (≥ 1)
    disc_width: int = 16  # channels of the discriminators' first layer (≥ 4)
    cycle_weight: float = 10.0  # λ of the cycle loss a → b → a and b → a → b (≥ 0)
    identity_weight: float = 5.0  # identity loss G_ab(b) ≈ b, usually λ / 2 (≥ 0)
    learning_rate: float = 2e-4  # Adam, both players (> 0)
    beta1: float = 0.5  # Adam β1 (0 ≤ β1 < 1)
    beta2: float = 0.999  # Adam β2 (0 ≤ β2 < 1)


class ResnetGenerator(nn.Module):
    """Image (B, 3, H, W) → image (B, 3, H, W) in [-1, 1]: down ×4, residual blocks, up ×4."""

    def __init__(self, width: int, num_res: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            conv_block(3, width, 7),
            conv_block(width, 2 * width, 3, stride=2),
            conv_block(2 * width, 4 * width, 3, stride=2),
            *[ResBlock(4 * width) for _ in range(num_res)],
            nn.Upsample(scale_factor=2),
            conv_block(4 * width, 2 * width, 3),
            nn.Upsample(scale_factor=2),
            conv_block(2 * width, width, 3),
            conv_block(width, 3, 7, norm="none", activation="tanh"),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CycleGANTrainer(TranslatorTrainer):
    """Generators G_ab (human → robot) and G_ba, discriminators D_a and D_b."""

    kind = "cyclegan"
    config_type = CycleGANConfig

    def build(self) -> None:
        c: CycleGANConfig = self.config
        self.gen_ab, self.gen_ba = ResnetGenerator(c.width, c.num_res), ResnetGenerator(c.width, c.num_res)
        self.dis_a, self.dis_b = PatchDiscriminator(c.disc_width), PatchDiscriminator(c.disc_width)
        self.build_optimizers(
            [self.gen_ab, self.gen_ba],
            [self.dis_a, self.dis_b],
            c.learning_rate,
            (c.beta1, c.beta2),
        )

    def gen_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        c: CycleGANConfig = self.config
        x_ab, x_ba = self.gen_ab(x_a), self.gen_ba(x_b)
        losses = {
            "gan": lsgan_generator_loss(self.dis_b(x_ab)) + lsgan_generator_loss(self.dis_a(x_ba)),
            "cycle": F.l1_loss(self.gen_ba(x_ab), x_a) + F.l1_loss(self.gen_ab(x_ba), x_b),
        }
        weights = {"gan": 1.0, "cycle": c.cycle_weight}
        self.add_prior_loss(losses, weights, x_ab)
        if c.identity_weight > 0:
            losses["identity"] = F.l1_loss(self.gen_ab(x_b), x_b) + F.l1_loss(self.gen_ba(x_a), x_a)
            weights["identity"] = c.identity_weight
        return self.generator_step(losses, weights)

    def dis_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        with torch.no_grad():
            x_ab, x_ba = self.gen_ab(x_a), self.gen_ba(x_b)
        loss = lsgan_discriminator_loss(self.dis_b(x_b), self.dis_b(x_ab)) + lsgan_discriminator_loss(
            self.dis_a(x_a), self.dis_a(x_ba)
        )
        return self.discriminator_step(loss + self.prior_discriminator_loss(x_b, x_ab))

    @torch.no_grad()
    def translate(self, x_a: torch.Tensor) -> torch.Tensor:
        return self.gen_ab(x_a)

    def networks(self) -> dict[str, nn.Module]:
        return {
            "gen_ab": self.gen_ab,
            "gen_ba": self.gen_ba,
            "dis_a": self.dis_a,
            "dis_b": self.dis_b,
            **self.prior_networks(),
        }

    def inference_networks(self) -> dict[str, nn.Module]:
        return {"gen_ab": self.gen_ab}
