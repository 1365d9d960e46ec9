"""Human → robot image translation: MUNIT (default) and CycleGAN, with one trainer interface."""

from lbw.translation.base import Translator, TranslatorTrainConfig, TranslatorTrainer, trainer_class
from lbw.translation.cyclegan import CycleGANConfig, CycleGANTrainer
from lbw.translation.munit import MUNITConfig, MUNITTrainer

__all__ = [
    "CycleGANConfig",
    "CycleGANTrainer",
    "MUNITConfig",
    "MUNITTrainer",
    "Translator",
    "TranslatorTrainConfig",
    "TranslatorTrainer",
    "trainer_class",
]
