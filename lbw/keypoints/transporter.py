"""Transporter (Kulkarni et al., 2019): unsupervised keypoints from pairs of frames.

    model = Transporter(TransporterConfig(num_keypoints=6))
    out = model(source, target)      # images float (B, 3, H, W) in [-1, 1]
    out["reconstruction"]            # (B, 3, H, W): the target rebuilt from the source
    model.keypoints(frames)          # (B, K, 2): (x, y) in [-1, 1], x right, y down

The keypointer finds K points per frame (spatial softmax over K heatmaps); Gaussian maps
around them say where to cut features out of the target and paste them into the source
(``transport``); the decoder rebuilds the target from the transported features. Only by
putting its keypoints on what moves between the two frames can the model rebuild the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class TransporterConfig:
    num_keypoints: int = 6  # K, the number of keypoints (≥ 1)
    width: int = 16  # channels of the first conv layer; later layers use 2× and 4× (≥ 4)
    gaussian_std: float = 0.12  # std of the Gaussian maps in [-1, 1] image units (> 0)
    image_size: int = 64  # side of the square input frames, a multiple of 4 (≥ 16)

    def __post_init__(self) -> None:
        if self.num_keypoints < 1 or self.width < 4 or self.gaussian_std <= 0:
            raise ValueError(f"invalid TransporterConfig: {self}")
        if self.image_size < 16 or self.image_size % 4:
            raise ValueError(f"image_size must be a multiple of 4 and ≥ 16, got {self.image_size}")


# ------------------------------------------------------------------------- pure functions
def spatial_softmax(heatmaps: torch.Tensor) -> torch.Tensor:
    """Expected (x, y) of each heatmap under a softmax over its pixels.

    heatmaps (B, K, H, W) → keypoints (B, K, 2) in [-1, 1]; x grows to the right, y down."""
    b, k, h, w = heatmaps.shape
    probabilities = F.softmax(heatmaps.reshape(b, k, h * w), dim=-1).reshape(b, k, h, w)
    xs = torch.linspace(-1.0, 1.0, w, device=heatmaps.device, dtype=heatmaps.dtype)
    ys = torch.linspace(-1.0, 1.0, h, device=heatmaps.device, dtype=heatmaps.dtype)
    x = (probabilities.sum(dim=2) * xs).sum(dim=-1)
    y = (probabilities.sum(dim=3) * ys).sum(dim=-1)
    return torch.stack([x, y], dim=-1)


def gaussian_maps(keypoints: torch.Tensor, size: int, std: float) -> torch.Tensor:
    """Isotropic Gaussian bumps (peak 1) at the keypoints.

    keypoints (B, K, 2) in [-1, 1] → maps (B, K, size, size)."""
    grid = torch.linspace(-1.0, 1.0, size, device=keypoints.device, dtype=keypoints.dtype)
    dx = (grid.view(1, 1, 1, size) - keypoints[..., 0, None, None]) ** 2
    dy = (grid.view(1, 1, size, 1) - keypoints[..., 1, None, None]) ** 2
    return torch.exp(-(dx + dy) / (2.0 * std**2))


def transport(
    source_maps: torch.Tensor,
    target_maps: torch.Tensor,
    source_features: torch.Tensor,
    target_features: torch.Tensor,
) -> torch.Tensor:
    """Remove the features around the source keypoints and paste the target's in, one
    keypoint after another. maps (B, K, h, w), features (B, C, h, w) → (B, C, h, w)."""
    out = source_features
    for k in range(source_maps.shape[1]):
        s, t = source_maps[:, k : k + 1], target_maps[:, k : k + 1]
        out = (1.0 - s) * (1.0 - t) * out + t * target_features
    return out


def to_pixels(keypoints: torch.Tensor, image_size: int) -> torch.Tensor:
    """[-1, 1] keypoint coordinates → continuous pixel coordinates (u, v) in [0, image_size]."""
    return (keypoints + 1.0) * 0.5 * image_size


# ------------------------------------------------------------------------------- networks
def _conv(c_in: int, c_out: int, stride: int = 1, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)
    )


class Encoder(nn.Module):
    """Image (B, 3, H, W) → features (B, 4·width, H/4, W/4)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.out_channels = 4 * width
        self.net = nn.Sequential(
            _conv(3, width, kernel=5),
            _conv(width, 2 * width, stride=2),
            _conv(2 * width, 2 * width),
            _conv(2 * width, 4 * width, stride=2),
            _conv(4 * width, 4 * width),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class KeyPointer(nn.Module):
    """Image → K heatmaps at feature resolution → keypoints and their Gaussian maps."""

    def __init__(self, encoder: Encoder, num_keypoints: int, gaussian_std: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Conv2d(encoder.out_channels, num_keypoints, 1)
        self.gaussian_std = gaussian_std

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """images (B, 3, H, W) → {"heatmaps": (B, K, h, w), "keypoints": (B, K, 2),
        "maps": (B, K, h, w)} with h = H/4."""
        heatmaps = self.head(self.encoder(images))
        keypoints = spatial_softmax(heatmaps)
        maps = gaussian_maps(keypoints, heatmaps.shape[-1], self.gaussian_std)
        return {"heatmaps": heatmaps, "keypoints": keypoints, "maps": maps}


class Decoder(nn.Module):
    """Features (B, C, H/4, W/4) → image (B, 3, H, W) in [-1, 1]."""

    def __init__(self, in_channels: int, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _conv(in_channels, 4 * width),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            _conv(4 * width, 2 * width),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
            _conv(2 * width, width),
            nn.Conv2d(width, 3, 3, padding=1),
            nn.Tanh(),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.net(features)


class Transporter(nn.Module):
    """Feature encoder, keypointer and decoder, injected so each can be swapped or tested."""

    def __init__(
        self,
        config: TransporterConfig | None = None,
        encoder: Encoder | None = None,
        keypointer: KeyPointer | None = None,
        decoder: Decoder | None = None,
    ) -> None:
        super().__init__()
        self.config = config or TransporterConfig()
        c = self.config
        self.encoder = encoder or Encoder(c.width)
        self.keypointer = keypointer or KeyPointer(Encoder(c.width), c.num_keypoints, c.gaussian_std)
        self.decoder = decoder or Decoder(self.encoder.out_channels, c.width)

    def forward(self, source: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """source, target (B, 3, H, W) in [-1, 1] → {"reconstruction": (B, 3, H, W),
        "source_keypoints", "target_keypoints": (B, K, 2)}."""
        src, tgt = self.keypointer(source), self.keypointer(target)
        features = transport(src["maps"], tgt["maps"], self.encoder(source), self.encoder(target))
        return {
            "reconstruction": self.decoder(features),
            "source_keypoints": src["keypoints"],
            "target_keypoints": tgt["keypoints"],
        }

    def keypoints(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, H, W) in [-1, 1] → keypoints (B, K, 2) in [-1, 1]."""
        return self.keypointer(images)["keypoints"]
