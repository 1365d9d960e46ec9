"""lbw sweep: points and names from a sweep file, and tiny sweeps through a local Ray."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lbw.cli import main
from lbw.sweep import Sweep, SweepError, load_sweep
from tests.test_pipeline import tiny


def _write(path: Path, content: dict) -> Path:
    path.write_text(yaml.safe_dump(content))
    return path


def test_points_and_their_run_names(tmp_path: Path) -> None:
    sweep = Sweep(["configs/reach.yaml"], {"method": ["lbw", "oracle"], "policy.seed": [0, 1]})
    assert [p.load().run_dir.name for p in sweep.points()] == [
        "lbw_seed0",
        "lbw_seed1",
        "oracle_seed0",
        "oracle_seed1",
    ]
    # Several grids: the points of each in turn (the baselines without a seed to vary).
    grids = [{"method": ["lbw"], "policy.seed": [0, 1]}, {"method": ["replay", "random"]}]
    both = Sweep(["configs/reach.yaml", "configs/push.yaml"], grids).points()
    assert [p.label for p in both[:4]] == [
        "reach/method=lbw policy.seed=0",
        "reach/method=lbw policy.seed=1",
        "reach/method=replay",
        "reach/method=random",
    ]
    assert len(both) == 8 and both[4].label == "push/method=lbw policy.seed=0"
    # Other varied keys join the name, so that the report groups a variant's seeds.
    grid = {"alignment": ["uniform"], "demo": ["clips/user/reach_human.mp4"], "policy.seed": [2]}
    (point,) = Sweep(["configs/reach.yaml"], grid, [f"root={tmp_path}"]).points()
    config = point.load()
    assert config.run_dir == tmp_path / "reach" / "lbw_alignment-uniform_demo-user-reach-human_seed2"
    assert config.alignment == "uniform" and config.policy.seed == 2
    # A named base config keeps its name as the variant's stem.
    (named,) = Sweep(["configs/quickstart.yaml"], {"policy.seed": [1]}).points()
    assert named.load().run_dir.name == "quickstart"  # only the seed varies: the config's own name


@pytest.mark.parametrize(
    "content, message",
    [
        ({"grid": {"policy.seed": [0]}}, "configs"),
        ({"configs": ["configs/reach.yaml"], "grid": {"policy.seed": 0}}, "grid"),
        ({"configs": ["configs/reach.yaml"], "grid": {"policy.seed": []}}, "grid"),
        ({"configs": ["configs/reach.yaml"], "grid": [{"method": ["lbw"]}, ["oracle"]]}, "grid"),
        ({"configs": ["configs/reach.yaml"], "seeds": [0]}, "unknown sweep key 'seeds'"),
        ({"configs": ["configs/reach.yaml"], "overrides": ["policy.seed"]}, "overrides"),
        (["configs/reach.yaml"], "a mapping"),
    ],
)
def test_bad_sweep_files_are_refused(tmp_path: Path, content, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        load_sweep(_write(tmp_path / "sweep.yaml", content))


def test_files_in_a_sweep_file_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "reach.yaml").write_text("task: reach\n")
    sweep = {
        "configs": ["../reach.yaml"],
        "grid": {"demo": ["../clips/a.mp4", "../clips/b.mp4"]},
        "overrides": ["keypoints.checkpoint=../models/t.pt", "policy.seed=1"],
    }
    loaded = load_sweep(_write(tmp_path / "sweeps" / "sweep.yaml", sweep))
    assert [Path(c).resolve() for c in loaded.configs] == [tmp_path / "reach.yaml"]
    clips = [tmp_path / "clips" / n for n in ("a.mp4", "b.mp4")]
    assert [Path(d).resolve() for d in loaded.grid[0]["demo"]] == clips
    key, value = loaded.overrides[0].split("=")
    assert key == "keypoints.checkpoint" and Path(value).resolve() == tmp_path / "models" / "t.pt"
    assert loaded.overrides[1] == "policy.seed=1"


def test_tiny_sweep_on_ray_then_resume_then_a_failing_point(tmp_path: Path, capsys) -> None:
    """Two seeds through a local Ray instance and the report; the same sweep again runs
    nothing; a point that fails is reported, with its error, and the exit code says so."""
    pytest.importorskip("ray")
    overrides = [o for o in tiny(tmp_path) if not o.startswith("task=")]
    sweep = {
        "configs": [str(Path("configs/reach.yaml").resolve())],
        "grid": {"method": ["oracle"], "policy.seed": [0, 1]},
        "overrides": overrides,
        "report": str(tmp_path / "report"),
    }
    path = _write(tmp_path / "sweep.yaml", sweep)
    assert main(["sweep", str(path), "--workers", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "0 queued, 0 running, 2 done, 0 skipped, 0 failed" in out
    runs = tmp_path / "runs" / "reach"
    metrics = {s: json.loads((runs / f"oracle_seed{s}" / "metrics.json").read_text()) for s in (0, 1)}
    assert all(m["env_steps"] == 120 and m["seed"] == s for s, m in metrics.items())
    assert "| reach | oracle |" in (tmp_path / "report" / "results.md").read_text()
    finished = (runs / "oracle_seed0" / "metrics.json").stat().st_mtime_ns

    assert main(["sweep", str(path), "--quiet"]) == 0  # again: nothing to run
    assert "0 done, 2 skipped, 0 failed" in capsys.readouterr().out
    assert (runs / "oracle_seed0" / "metrics.json").stat().st_mtime_ns == finished

    # lbw with untrained models and check_demo=refuse fails in its worker; the others go on.
    sweep["grid"] = {"method": ["oracle", "lbw"], "policy.seed": [0]}
    sweep["overrides"] = [*overrides, "check_demo=refuse"]
    assert main(["sweep", str(_write(path, sweep)), "--workers", "2", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "1 skipped, 1 failed" in captured.out
    assert "failed: reach/lbw_seed0: videos/reach_human.mp4 does not look like a reach" in captured.err


@pytest.mark.parametrize("path", sorted(Path("configs/sweeps").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_sweep_files_load_with_one_folder_per_point(path: Path) -> None:
    points = load_sweep(path).points()
    folders = [point.load().run_dir for point in points]
    assert points and len(set(folders)) == len(folders)
