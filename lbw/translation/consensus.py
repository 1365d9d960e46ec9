"""Translate with the consensus of several translator snapshots instead of one.

One snapshot of one training can lose the arm of a look it was not trained on, or place its
held pose a few pixels off; which one does varies from snapshot to snapshot. The consensus
translates every frame with each member, finds the keypoints of each translation, and keeps per
frame the member's translation whose keypoints lie nearest the per-frame median of all
members' keypoints: a member that loses the arm is outvoted, and the frames stay real
translations (the keypoints found on them are theirs). No paired clip, no ground truth.

    from lbw.translation import Translator
    from lbw.translation.consensus import write_consensus

    path = write_consensus("consensus.json", [snapshot_1, snapshot_2, ...], "transporter.pt")
    translator = Translator.load(path)  # a ConsensusTranslator: human frames in, robot frames out
    robot_like = translator(human_frames)  # uint8 (T, H, W, 3) → (T, S, S, 3)

``lbw run CONFIG translator.checkpoint=null translator.restarts=2 translator.consensus=true``
builds one from the config's own trainings (``lbw.stages.consensus_checkpoint``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lbw.checkpoint import CheckpointError
from lbw.files import write_json
from lbw.translation.base import Translator

if TYPE_CHECKING:
    from lbw.keypoints.trainer import KeypointDetector

KIND = "consensus"


def consensus_choice(keypoints: np.ndarray) -> np.ndarray:
    """(M, T, K, 2) keypoints of M members' translations of T frames → (T,) the member whose
    keypoints lie nearest the per-frame median of all members' (summed distance, px)."""
    median = np.median(keypoints, axis=0)
    return np.linalg.norm(keypoints - median, axis=-1).sum(-1).argmin(0)


def second_half(snapshots: list[Path], iterations: int) -> list[Path]:
    """The snapshots (``iter_<update>.pt``) of the second half of a training of ``iterations``
    updates: the consensus's members (one early in training is still far from the robot domain)."""
    return [s for s in snapshots if 2 * int(s.stem.removeprefix("iter_")) >= iterations]


def write_consensus(
    path: str | os.PathLike, members: list[str | os.PathLike], keypoints: str | os.PathLike
) -> Path:
    """A consensus checkpoint: a small JSON naming its member translator checkpoints and the
    keypoint detector that judges them, by paths relative to the file (it moves with them)."""
    path = Path(path)
    relative = lambda p: os.path.relpath(Path(p).resolve(), path.parent.resolve())  # noqa: E731
    write_json(
        path, {"kind": KIND, "members": [relative(m) for m in members], "keypoints": relative(keypoints)}
    )
    return path


class ConsensusTranslator:
    """Several translators as one, with ``Translator``'s inference interface: ``__call__`` keeps,
    per frame, the member translation whose keypoints (under ``detector``) lie nearest the
    median of all members' (``consensus_choice``)."""

    def __init__(self, members: list[Translator], detector: KeypointDetector) -> None:
        if not members:
            raise CheckpointError("a consensus needs at least one member translator")
        self.members, self.detector = members, detector
        self.image_size, self.kind, self.task = members[0].image_size, KIND, members[0].task

    @classmethod
    def load(cls, path: str | os.PathLike, device: str | None = None) -> ConsensusTranslator:
        from lbw.keypoints.trainer import KeypointDetector

        path = Path(path)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise CheckpointError(f"{path}: not a readable consensus checkpoint ({e})") from None
        if not isinstance(record, dict) or record.get("kind") != KIND:
            kind = record.get("kind") if isinstance(record, dict) else None
            raise CheckpointError(f"{path}: a consensus checkpoint has kind {KIND!r}, got {kind!r}")
        if not {"members", "keypoints"} <= record.keys():
            raise CheckpointError(f"{path}: a consensus checkpoint names its members and keypoints")
        members = [Translator.load(path.parent / m, device=device) for m in record["members"]]
        return cls(members, KeypointDetector.load(path.parent / record["keypoints"], device=device))

    def __call__(self, frames: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """uint8 (T, H, W, 3) → uint8 (T, S, S, 3): per frame, the consensus member's translation."""
        translations = np.stack([member(frames, batch_size) for member in self.members])  # (M, T, S, S, 3)
        keypoints = np.stack([self.detector(t) for t in translations])
        return translations[consensus_choice(keypoints), np.arange(translations.shape[1])]

    def round_trip(self, frames: np.ndarray, seed: int = 0, batch_size: int = 64) -> None:
        """None: the members' ways back differ (``Translator.round_trip``)."""
        return None
