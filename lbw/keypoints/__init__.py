"""Unsupervised keypoints: the Transporter model, its trainer, and a detector for inference."""

from lbw.keypoints.trainer import KeypointDetector, TransporterTrainConfig, TransporterTrainer
from lbw.keypoints.transporter import (
    Transporter,
    TransporterConfig,
    gaussian_maps,
    spatial_softmax,
    transport,
)

__all__ = [
    "KeypointDetector",
    "Transporter",
    "TransporterConfig",
    "TransporterTrainConfig",
    "TransporterTrainer",
    "gaussian_maps",
    "spatial_softmax",
    "transport",
]
