"""MUNIT (Huang et al., 2018): unpaired image-to-image translation with content and style codes.

Domain a is the human scene, domain b the robot scene. Each domain has a generator (content
encoder, style encoder, AdaIN decoder) and a multi-scale PatchGAN discriminator. A human frame
is translated with its own content code and one fixed robot style code — the mean style of real
robot frames — so that a clip translates consistently from frame to frame.

    trainer = MUNITTrainer(MUNITConfig())
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
    AdaptiveInstanceNorm2d,
    MultiScaleDiscriminator,
    ResBlock,
    conv_block,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
)


@dataclass
class MUNITConfig:
    width: int = 16  # channels of the first conv; the content code has 4 × width (≥ 4)
    style_dim: int = 8  # length of a style code (≥ 1)
    mlp_dim: int = 64  # hidden width of the style → AdaIN parameter MLP (≥ 1)
    num_res: int = 2  # residual blocks in the content encoder and in the decoder (≥ 1)
    disc_width: int = 16  # channels of the discriminators' first layer (≥ 4)
    disc_scales: int = 2  # image scales the discriminator looks at (≥ 1)
    gan_weight: float = 1.0  # weight of the adversarial loss (≥ 0)
    recon_x_weight: float = 10.0  # image reconstruction (≥ 0)
    recon_s_weight: float = 1.0  # style code reconstruction (≥ 0)
    recon_c_weight: float = 1.0  # content code reconstruction (≥ 0)
    recon_cycle_weight: float = 0.0  # optional cycle x → y → x (≥ 0; 0 turns it off)
    learning_rate: float = 1e-4  # Adam, both players (> 0)
    beta1: float = 0.5  # Adam β1 (0 ≤ β1 < 1)
    beta2: float = 0.999  # Adam β2 (0 ≤ β2 < 1)


class ContentEncoder(nn.Module):
    """Image (B, 3, H, W) → content code (B, 4·width, H/4, W/4)."""

    def __init__(self, width: int, num_res: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            conv_block(3, width, 7),
            conv_block(width, 2 * width, 4, stride=2),
            conv_block(2 * width, 4 * width, 4, stride=2),
            *[ResBlock(4 * width, norm="in") for _ in range(num_res)],
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class StyleEncoder(nn.Module):
    """Image (B, 3, H, W) → style code (B, style_dim); no normalisation, which would erase style."""

    def __init__(self, width: int, style_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            conv_block(3, width, 7, norm="none"),
            conv_block(width, 2 * width, 4, stride=2, norm="none"),
            conv_block(2 * width, 4 * width, 4, stride=2, norm="none"),
            conv_block(4 * width, 4 * width, 4, stride=2, norm="none"),
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(4 * width, style_dim, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten(1)


class Decoder(nn.Module):
    """Content code (B, 4·width, h, w) + style (B, style_dim) → image (B, 3, 4h, 4w) in [-1, 1]."""

    def __init__(self, width: int, style_dim: int, mlp_dim: int, num_res: int) -> None:
        super().__init__()
        self.res = nn.Sequential(*[ResBlock(4 * width, norm="adain") for _ in range(num_res)])
        self.up = nn.Sequential(
            nn.Upsample(scale_factor=2),
            conv_block(4 * width, 2 * width, 5, norm="ln"),
            nn.Upsample(scale_factor=2),
            conv_block(2 * width, width, 5, norm="ln"),
            conv_block(width, 3, 7, norm="none", activation="tanh"),
        )
        self.adain_layers = [m for m in self.res.modules() if isinstance(m, AdaptiveInstanceNorm2d)]
        num_params = sum(2 * m.channels for m in self.adain_layers)
        self.mlp = nn.Sequential(
            nn.Linear(style_dim, mlp_dim),
            nn.ReLU(inplace=True),
            nn.Linear(mlp_dim, mlp_dim),
            nn.ReLU(inplace=True),
            nn.Linear(mlp_dim, num_params),
        )

    def forward(self, content: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        params = self.mlp(style)
        start = 0
        for layer in self.adain_layers:  # each takes (mean → bias, std → weight) for its channels
            c = layer.channels
            layer.bias = params[:, start : start + c].reshape(-1)
            layer.weight = params[:, start + c : start + 2 * c].reshape(-1)
            start += 2 * c
        return self.up(self.res(content))


class Generator(nn.Module):
    """One domain's auto-encoder: ``encode`` → (content, style), ``decode`` → image."""

    def __init__(self, c: MUNITConfig) -> None:
        super().__init__()
        self.content = ContentEncoder(c.width, c.num_res)
        self.style = StyleEncoder(c.width, c.style_dim)
        self.decoder = Decoder(c.width, c.style_dim, c.mlp_dim, c.num_res)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.content(x), self.style(x)

    def decode(self, content: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        return self.decoder(content, style)


class MUNITTrainer(TranslatorTrainer):
    """Two generators and two discriminators, trained in alternation."""

    kind = "munit"
    translates_back = True  # its inference checkpoint keeps both generators
    config_type = MUNITConfig

    def build(self) -> None:
        c: MUNITConfig = self.config
        self.gen_a, self.gen_b = Generator(c), Generator(c)
        self.dis_a = MultiScaleDiscriminator(c.disc_width, c.disc_scales)
        self.dis_b = MultiScaleDiscriminator(c.disc_width, c.disc_scales)
        self.build_optimizers(
            [self.gen_a, self.gen_b],
            [self.dis_a, self.dis_b],
            c.learning_rate,
            (c.beta1, c.beta2),
        )
        # The robot style every human frame is rendered with: the mean style of robot frames.
        self.robot_style = torch.zeros(c.style_dim)

    def gen_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        c: MUNITConfig = self.config
        s_a = torch.randn(x_a.shape[0], c.style_dim, device=x_a.device)
        s_b = torch.randn(x_b.shape[0], c.style_dim, device=x_b.device)
        c_a, s_a_own = self.gen_a.encode(x_a)
        c_b, s_b_own = self.gen_b.encode(x_b)
        x_ba = self.gen_a.decode(c_b, s_a)
        x_ab = self.gen_b.decode(c_a, s_b)
        c_b_recon, s_a_recon = self.gen_a.encode(x_ba)
        c_a_recon, s_b_recon = self.gen_b.encode(x_ab)
        losses = {
            "recon_x": F.l1_loss(self.gen_a.decode(c_a, s_a_own), x_a)
            + F.l1_loss(self.gen_b.decode(c_b, s_b_own), x_b),
            "recon_s": F.l1_loss(s_a_recon, s_a) + F.l1_loss(s_b_recon, s_b),
            "recon_c": F.l1_loss(c_a_recon, c_a.detach()) + F.l1_loss(c_b_recon, c_b.detach()),
            "gan": lsgan_generator_loss(self.dis_a(x_ba)) + lsgan_generator_loss(self.dis_b(x_ab)),
        }
        weights = {
            "recon_x": c.recon_x_weight,
            "recon_s": c.recon_s_weight,
            "recon_c": c.recon_c_weight,
            "gan": c.gan_weight,
        }
        self.add_prior_loss(losses, weights, x_ab)
        if c.recon_cycle_weight > 0:
            losses["cycle"] = F.l1_loss(self.gen_a.decode(c_a_recon, s_a_own), x_a) + F.l1_loss(
                self.gen_b.decode(c_b_recon, s_b_own), x_b
            )
            weights["cycle"] = c.recon_cycle_weight
        return self.generator_step(losses, weights)

    def dis_update(self, x_a: torch.Tensor, x_b: torch.Tensor) -> dict[str, float]:
        c: MUNITConfig = self.config
        with torch.no_grad():
            s_a = torch.randn(x_a.shape[0], c.style_dim, device=x_a.device)
            s_b = torch.randn(x_b.shape[0], c.style_dim, device=x_b.device)
            x_ba = self.gen_a.decode(self.gen_b.content(x_b), s_a)
            x_ab = self.gen_b.decode(self.gen_a.content(x_a), s_b)
        loss = lsgan_discriminator_loss(self.dis_a(x_a), self.dis_a(x_ba)) + lsgan_discriminator_loss(
            self.dis_b(x_b), self.dis_b(x_ab)
        )
        return self.discriminator_step(loss + self.prior_discriminator_loss(x_b, x_ab))

    @torch.no_grad()
    def fit_style(self, x_b: torch.Tensor) -> None:
        """Set the robot style code to the mean style of these robot frames (B, 3, H, W)."""
        self.robot_style = self.gen_b.style(x_b).mean(dim=0)

    @torch.no_grad()
    def translate(self, x_a: torch.Tensor) -> torch.Tensor:
        style = self.robot_style.to(x_a.device).expand(x_a.shape[0], -1)
        return self.gen_b.decode(self.gen_a.content(x_a), style)

    @torch.no_grad()
    def to_human(self, x_b: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        # A random human style per image, as training draws them: a person and room of the ranges.
        style = torch.randn(x_b.shape[0], self.config.style_dim, generator=generator).to(x_b.device)
        return self.gen_a.decode(self.gen_b.content(x_b), style)

    def extras(self) -> dict[str, torch.Tensor]:
        return {"robot_style": self.robot_style}

    def load_extras(self, extras: dict[str, torch.Tensor]) -> None:
        self.robot_style = extras["robot_style"].to(self.device)

    def networks(self) -> dict[str, nn.Module]:
        return {
            "gen_a": self.gen_a,
            "gen_b": self.gen_b,
            "dis_a": self.dis_a,
            "dis_b": self.dis_b,
            **self.prior_networks(),
        }

    def inference_networks(self) -> dict[str, nn.Module]:
        return {"gen_a": self.gen_a, "gen_b": self.gen_b}
