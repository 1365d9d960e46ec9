"""The ``lbw`` command line: help for every command, outputs, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lbw.cli import main


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"], ["collect", "--help"], ["bench", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: lbw" in capsys.readouterr().out


def test_demo_writes_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["demo", "--task", "reach", "--image-size", "32", "--out", str(tmp_path)]
    assert main(argv) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"reach_human.mp4", "reach_robot.mp4", "reach_demo.json"}
    assert main(argv) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0


def test_collect(tmp_path: Path) -> None:
    out = tmp_path / "reach_human.npz"
    argv = [
        "collect",
        "--task",
        "reach",
        "--domain",
        "human",
        "--frames",
        "10",
        "--image-size",
        "16",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0 and out.is_file()
    with pytest.raises(SystemExit, match="refusing to overwrite"):
        main(argv)


def test_bench_env(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = [
        "bench",
        "env",
        "--tasks",
        "reach",
        "--embodiments",
        "robot",
        "--steps",
        "20",
        "--repeats",
        "1",
        "--quiet",
        "--json",
        str(tmp_path / "bench.json"),
    ]
    assert main(argv) == 0
    assert "| reach | robot |" in capsys.readouterr().out
    assert (tmp_path / "bench.json").is_file()


def test_bad_choices_exit_with_usage() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--task", "juggle"])
    assert exit_info.value.code == 2
