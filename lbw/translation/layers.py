"""Building blocks shared by the MUNIT and CycleGAN translators (64-pixel images, small widths)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LayerNorm2d(nn.Module):
    """Layer norm over (C, H, W) with a per-channel affine: MUNIT's decoder norm."""

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        std = x.std(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) / (std + self.eps)
        return x * self.gamma.view(1, -1, 1, 1) + self.beta.view(1, -1, 1, 1)


class AdaptiveInstanceNorm2d(nn.Module):
    """Instance norm whose affine parameters come from outside (a style code through an MLP):
    set ``weight`` and ``bias``, each (B · C,), before calling."""

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.weight: torch.Tensor | None = None
        self.bias: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.weight is None or self.bias is None:
            raise RuntimeError("AdaIN parameters were not assigned before the forward pass")
        b, c, h, w = x.shape
        out = F.instance_norm(x, eps=self.eps)
        return out * self.weight.view(b, c, 1, 1) + self.bias.view(b, c, 1, 1)


def norm_layer(kind: str, channels: int) -> nn.Module:
    """``"in"`` instance norm, ``"ln"`` layer norm, ``"adain"`` adaptive instance norm, ``"none"``."""
    if kind == "in":
        return nn.InstanceNorm2d(channels)
    if kind == "ln":
        return LayerNorm2d(channels)
    if kind == "adain":
        return AdaptiveInstanceNorm2d(channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}")


def conv_block(
    c_in: int, c_out: int, kernel: int, stride: int = 1, norm: str = "in", activation: str = "relu"
) -> nn.Sequential:
    """Reflect-padded conv → norm → activation (``"relu"``, ``"lrelu"``, ``"tanh"``, ``"none"``)."""
    layers: list[nn.Module] = [
        nn.ReflectionPad2d((kernel - 1) // 2),  # keeps H, W at stride 1 and halves them at stride 2
        nn.Conv2d(c_in, c_out, kernel, stride, bias=norm in ("none", "ln")),
        norm_layer(norm, c_out),
    ]
    if activation == "relu":
        layers.append(nn.ReLU(inplace=True))
    elif activation == "lrelu":
        layers.append(nn.LeakyReLU(0.2, inplace=True))
    elif activation == "tanh":
        layers.append(nn.Tanh())
    elif activation != "none":
        raise ValueError(f"unknown activation {activation!r}")
    return nn.Sequential(*layers)


class ResBlock(nn.Module):
    """x + conv(norm(relu(conv(x)))), same shape in and out."""

    def __init__(self, channels: int, norm: str = "in") -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv_block(channels, channels, 3, norm=norm),
            conv_block(channels, channels, 3, norm=norm, activation="none"),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN: image (B, 3, H, W) → real/fake scores (B, 1, H/8, W/8)."""

    def __init__(self, width: int, layers: int = 3) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        c_in = 3
        for i in range(layers):
            c_out = width * 2**i
            blocks += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
            c_in = c_out
        blocks.append(nn.Conv2d(c_in, 1, 1))
        self.net = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class MultiScaleDiscriminator(nn.Module):
    """PatchGANs at several scales (each halves the image): a list of score maps."""

    def __init__(self, width: int, scales: int = 2) -> None:
        super().__init__()
        self.scales = nn.ModuleList(PatchDiscriminator(width) for _ in range(scales))
        self.downsample = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outputs = []
        for i, discriminator in enumerate(self.scales):
            if i:
                x = self.downsample(x)
            outputs.append(discriminator(x))
        return outputs


def _as_list(scores: torch.Tensor | list[torch.Tensor]) -> list[torch.Tensor]:
    return scores if isinstance(scores, list) else [scores]


def lsgan_discriminator_loss(
    real: torch.Tensor | list[torch.Tensor], fake: torch.Tensor | list[torch.Tensor]
) -> torch.Tensor:
    """Least-squares GAN: real scores toward 1, fake toward 0, summed over scales."""
    return sum(
        ((r - 1) ** 2).mean() + (f**2).mean() for r, f in zip(_as_list(real), _as_list(fake), strict=True)
    )


def lsgan_generator_loss(fake: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
    """Least-squares GAN: the generator pushes fake scores toward 1."""
    return sum(((f - 1) ** 2).mean() for f in _as_list(fake))
