"""The package as users install it: no top-level import name besides lbw, the shipped files it
carries, configs that work from any folder."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from lbw.config import load_config
from lbw.shipped import shipped_config, shipped_configs, shipped_path

ROOT = Path(__file__).resolve().parents[1]


def test_only_lbw_is_imported_at_the_top_level(tmp_path: Path) -> None:
    """The tasks import as lbw.envs: nothing named `envs` (a package on the public index) is
    imported, so installing that package beside lbw changes nothing."""
    code = (
        "import sys, lbw, lbw.cli, lbw.pipeline, lbw.sweep, lbw.evaluation.policy; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('envs', 'lbw')}))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['lbw']"


def test_the_wheel_carries_every_shipped_file() -> None:
    """Every file under configs/, models/ and videos/ matches the package-data patterns the
    wheel is built with (a model or clip left out would break `lbw run` after `pip install .`)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package, folder in setuptools["package-dir"].items():
        if not package.startswith("lbw._shipped."):
            continue
        patterns = setuptools["package-data"][package]
        files = [p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()]
        missing = [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)]
        assert files and not missing, f"{folder}/ files the wheel would leave out: {missing}"
    packages = set(setuptools["packages"])
    for init in (ROOT / "lbw").rglob("__init__.py"):
        assert ".".join(init.parent.relative_to(ROOT).parts) in packages
    for init in (ROOT / "envs").rglob("__init__.py"):
        assert ".".join(("lbw", *init.parent.relative_to(ROOT).parts)) in packages


def test_shipped_configs_work_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert {"quickstart", "reach", "push", "slide", "drawer_close", "coffee_push"} <= set(shipped_configs())
    config = load_config(shipped_config("quickstart"))
    assert Path(config.translator.checkpoint).is_file() and Path(config.keypoints.checkpoint).is_file()
    assert config.demo_clip == shipped_path("videos/reach_human.mp4") and config.demo_clip.is_file()
    assert config.run_dir == Path("runs/reach/quickstart")  # outputs under the working folder
    assert shipped_config("nothing") is None and shipped_config("../configs/reach") is None


def test_files_a_config_names_are_relative_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "project" / "configs"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(
        "task: reach\ndemo: ../clips/me.mp4\nkeypoints:\n  checkpoint: ../models/kp.pt\n"
    )
    monkeypatch.chdir(tmp_path)
    config = load_config("project/configs/mine.yaml", ["translator.checkpoint=models/t.pt"])
    assert config.demo == "project/clips/me.mp4" and config.keypoints.checkpoint == "project/models/kp.pt"
    assert config.translator.checkpoint == "models/t.pt"  # an override: relative to the working folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(folder / "mine.yaml")
    assert Path(config.demo) == tmp_path / "project" / "clips" / "me.mp4"  # absolute outside the folder
