"""Files written whole or not at all: checkpoints, clips, JSON records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lbw.files import atomic_write, write_json


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "model.pt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as partial:
        assert partial.parent == tmp_path and partial.suffix == ".pt" and partial != target
        partial.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and not list(tmp_path.glob(".*partial*"))
    with atomic_write(target) as partial:
        partial.write_text("new")
    assert target.read_text() == "new" and not list(tmp_path.glob(".*partial*"))


def test_write_json_keeps_the_old_record_when_serialising_fails(tmp_path: Path) -> None:
    record = tmp_path / "stage.json"
    write_json(record, {"finished": True, "wall_s": 1.5})
    assert json.loads(record.read_text()) == {"finished": True, "wall_s": 1.5}
    with pytest.raises(TypeError):
        write_json(record, {"finished": True, "model": object()})  # not JSON
    assert json.loads(record.read_text()) == {"finished": True, "wall_s": 1.5}
    assert not list(tmp_path.glob(".*partial*"))
