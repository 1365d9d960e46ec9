"""Bad inputs fail fast and change nothing; interrupts and resumes keep honest records.

Each case feeds the command line one bad input and asserts: exit code 1 (a failed check) or
2 (a usage error), a message naming the culprit, no traceback, and no file written or changed.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import yaml

from lbw.cli import main
from lbw.config import config_keys, load_config
from lbw.policy.callbacks import BEST, BEST_AT_LAST, CANDIDATES, EVALUATIONS, rewind_to_resume_point
from lbw.video import write_video
from tests.test_pipeline import tiny

SHIPPED_REACH = ["configs/quickstart.yaml"]  # shipped models: no training before the checks


def _files(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*")}


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Bad files of every kind, in tmp_path/inputs."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "list.yaml").write_text("- task: push\n")
    (folder / "empty.yaml").write_text("")
    (folder / "binary.yaml").write_bytes(b"\xff\xfe\x00task")
    (folder / "text.mp4").write_text("not a video")
    write_video(folder / "one_frame.gif", np.zeros((1, 64, 64, 3), np.uint8), fps=10)
    (folder / "weights.pt").write_bytes(b"not a checkpoint")
    (folder / "a_file").write_text("")
    run = tmp_path / "runs" / "reach" / "done"  # a finished run's records, to be kept
    (run / "eval").mkdir(parents=True)
    (run / "config.yaml").write_text(yaml.safe_dump(load_config("configs/reach.yaml").to_dict()))
    (run / "eval" / "eval_info.json").write_text('{"aggregated": {"success_rate": 1.0}}')
    return {p.name: p for p in folder.iterdir()} | {"run": run}


# (command line, culprit named in the message, exit code); {NAME} is a file of ``inputs``.
CASES = [
    # config values: type and range
    ([*SHIPPED_REACH, "policy.eval_every=0"], "policy.eval_every", 1),
    ([*SHIPPED_REACH, "policy.eval_every=-1"], "policy.eval_every", 1),
    ([*SHIPPED_REACH, "policy.checkpoint_every=0"], "policy.checkpoint_every", 1),
    ([*SHIPPED_REACH, "eval.episodes=-2"], "eval.episodes", 1),
    ([*SHIPPED_REACH, "eval.record=-1"], "eval.record", 1),
    ([*SHIPPED_REACH, "policy.net_arch=[64,x]"], "policy.net_arch", 1),
    ([*SHIPPED_REACH, "policy.gamma=2"], "policy.gamma", 1),
    ([*SHIPPED_REACH, "policy.total_steps=0"], "policy.total_steps", 1),
    ([*SHIPPED_REACH, "policy.seed=-1"], "policy.seed", 1),
    ([*SHIPPED_REACH, "data.frames=many"], "data.frames", 1),
    ([*SHIPPED_REACH, "translator.keypoint_prior=-0.5"], "translator.keypoint_prior", 1),
    ([*SHIPPED_REACH, "policy.learning_rate=0"], "policy.learning_rate", 1),
    ([*SHIPPED_REACH, "policy.mystery=1"], "policy.mystery", 1),
    ([*SHIPPED_REACH, "policy=3"], "policy", 1),
    ([*SHIPPED_REACH, "name=../elsewhere"], "name", 1),
    ([*SHIPPED_REACH, "check_demo=maybe"], "check_demo", 1),
    ([*SHIPPED_REACH, "policy.seed=[1"], "policy.seed", 1),
    # config files
    (["{list.yaml}"], "list.yaml", 1),
    (["{empty.yaml}"], "empty.yaml", 1),
    (["{binary.yaml}"], "binary.yaml", 1),
    (["configs/nothing.yaml"], "nothing.yaml", 1),
    # clips
    ([*SHIPPED_REACH, "demo={text.mp4}"], "text.mp4", 1),
    ([*SHIPPED_REACH, "demo={one_frame.gif}"], "one_frame.gif", 1),
    ([*SHIPPED_REACH, "demo=missing.mp4"], "missing.mp4", 1),
    ([*SHIPPED_REACH, "method=robot_demo", "robot_demo=missing.mp4"], "missing.mp4", 1),
    # checkpoints: missing, unreadable, of another model, of another task, of another size
    ([*SHIPPED_REACH, "keypoints.checkpoint=missing.pt"], "missing.pt", 1),
    ([*SHIPPED_REACH, "keypoints.checkpoint={weights.pt}"], "weights.pt", 1),
    ([*SHIPPED_REACH, "keypoints.checkpoint=models/reach/translator_munit.pt"], "transporter", 1),
    ([*SHIPPED_REACH, "keypoints.checkpoint=models/push/transporter.pt"], "trained on push", 1),
    ([*SHIPPED_REACH, "translator.checkpoint=models/push/translator_munit.pt"], "trained on push", 1),
    ([*SHIPPED_REACH, "translator.alternatives=[missing.pt]"], "missing.pt", 1),
    ([*SHIPPED_REACH, "translator.alternatives=[models/push/translator_munit.pt]"], "alternatives[0]", 1),
    ([*SHIPPED_REACH, "translator.alternatives=models/reach/translator_munit.pt"], "alternatives", 1),
    ([*SHIPPED_REACH, "keypoints.num_keypoints=4"], "keypoints.num_keypoints", 1),
    # output root and run folder flags
    ([*SHIPPED_REACH, "root={a_file}"], "root", 1),
    ([*SHIPPED_REACH, "--resume", "--overwrite"], "--resume and --overwrite", 1),
    ([*SHIPPED_REACH, "--resume"], "no run to resume", 1),
    ([*SHIPPED_REACH, "--frobnicate"], "--frobnicate", 2),
]


@pytest.mark.parametrize("argv, culprit, code", CASES, ids=[" ".join(c[0][1:]) or c[0][0] for c in CASES])
def test_run_refuses_bad_input_before_any_work(
    argv: list[str], culprit: str, code: int, inputs: dict[str, Path], tmp_path: Path, capsys
) -> None:
    argv = [re.sub(r"\{(.+?)\}", lambda m: str(inputs[m.group(1)]), a) for a in argv]
    if not any(a.startswith("root=") for a in argv):
        argv.append(f"root={tmp_path / 'runs'}")
    before = _files(tmp_path)
    assert main(["run", *argv, "--quiet"]) == code if code == 1 else _exits(["run", *argv], code)
    err = capsys.readouterr().err
    assert culprit in err and "Traceback" not in err
    assert _files(tmp_path) == before  # nothing written, nothing changed


def _exits(argv: list[str], code: int) -> bool:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return exit_.value.code == code


@pytest.mark.parametrize(
    "argv, culprit",
    [
        (["evaluate", "{run}", "--episodes", "0"], "--episodes"),
        (["evaluate", "{run}", "--episodes", "-3"], "--episodes"),
        (["evaluate", "{run}", "--record", "-1"], "--record"),
        (["translate", "videos/reach_human.mp4", "--checkpoint", "x.pt", "--out", "x.avi"], "x.avi"),
        (["keypoints", "videos/reach_human.mp4", "--checkpoint", "x.pt", "--out", "k.txt"], "k.txt"),
        (
            [
                "keypoints",
                "videos/reach_human.mp4",
                "--checkpoint",
                "x.pt",
                "--out",
                "k.npy",
                "--overlay",
                "o.avi",
            ],
            "o.avi",
        ),
    ],
)
def test_other_commands_refuse_bad_flags_before_any_work(
    argv: list[str], culprit: str, inputs: dict[str, Path], tmp_path: Path, capsys
) -> None:
    argv = [a.replace("{run}", str(inputs["run"])) for a in argv]
    before = _files(tmp_path)
    assert _exits(argv, 2)
    err = capsys.readouterr().err
    assert culprit in err and "Traceback" not in err
    assert _files(tmp_path) == before  # eval_info.json kept as it was


def test_every_config_key_shows_its_range_in_help_and_in_the_configs(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = capsys.readouterr().out
    ranged = {key: allowed for key, _, allowed in config_keys() if re.search(r"[≥≤>]|in \[", allowed)}
    assert len(ranged) > 30
    for key, allowed in ranged.items():
        assert re.search(rf"{re.escape(key)}\s+{re.escape(allowed)}", help_text), key
    for path in Path("configs").glob("*.yaml"):
        lines = path.read_text().splitlines()
        for key, allowed in ranged.items():
            section, _, leaf = key.rpartition(".")
            shown = [
                i
                for i, line in enumerate(lines)
                if re.match(rf"\s{{2}}{leaf}:" if section else rf"{leaf}:", line)
            ]
            shown = [i for i in shown if not section or _section_of(lines, i) == section]
            for i in shown:
                assert allowed in lines[i], f"{path}: {key} does not show {allowed!r}"


def _section_of(lines: list[str], index: int) -> str:
    return next(line.split(":")[0] for line in reversed(lines[:index]) if re.match(r"[a-z_]+:", line))


def test_keypoints_output_folder_is_made(tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder" / "k.npy"
    argv = ["keypoints", "videos/reach_human.mp4", "--checkpoint", "models/reach/transporter.pt"]
    assert main([*argv, "--out", str(out)]) == 0
    assert np.load(out).shape == (61, 6, 2)


def test_overrides_may_follow_the_options(tmp_path: Path) -> None:
    """``lbw run CONFIG --quiet key=value``: the override is taken, not a usage error."""
    argv = ["run", *SHIPPED_REACH, "--quiet", f"root={tmp_path}", "policy.gamma=2"]
    assert main(argv) == 1  # the override was read: its value is refused by the check


def test_a_clip_the_checks_flag_is_refused_before_the_policy_trains(tmp_path: Path, capsys) -> None:
    """Untrained models flag every clip: with check_demo=refuse the run stops after the
    perception stages, names the clip and leaves no run folder behind to block a retry; with
    check_demo=warn (the default) it says why and trains anyway."""
    overrides = tiny(tmp_path)
    assert main(["run", "configs/reach.yaml", *overrides, "check_demo=refuse", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "videos/reach_human.mp4 does not look like a reach demonstration" in err
    assert "check_demo=warn" in err and not (tmp_path / "runs" / "reach" / "lbw_seed0").exists()
    assert main(["run", "configs/reach.yaml", *overrides, "--quiet"]) == 0
    assert "warning: videos/reach_human.mp4" in capsys.readouterr().err
    check = json.loads((tmp_path / "runs" / "reach" / "lbw_seed0" / "demo_check.json").read_text())
    assert check["warnings"] and check["frames"] == 61


@pytest.mark.parametrize("at_step", [45, 100])  # before the first checkpoint (60), after it
def test_interrupt_then_resume_keeps_one_curve_and_true_records(
    at_step: int, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C mid-training exits 130 naming the --resume command; the resumed run's learning
    curve has each evaluation once and its records say what was trained."""
    from lbw.policy import callbacks

    original = callbacks.ResumeCheckpointCallback._on_step
    interrupted = []

    def interrupt_once(self) -> bool:
        if self.num_timesteps == at_step and not interrupted:
            interrupted.append(self.num_timesteps)
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(callbacks.ResumeCheckpointCallback, "_on_step", interrupt_once)
    argv = ["run", "configs/reach.yaml", *tiny(tmp_path, "method=oracle", "policy.eval_every=30")]
    assert main([*argv, "--quiet"]) == 130
    assert f"go on with: {shlex.join(['lbw', *argv, '--quiet', '--resume'])}" in capsys.readouterr().err
    assert main([*argv, "--quiet", "--resume"]) == 0
    run = tmp_path / "runs" / "reach" / "oracle_seed0"
    steps = [
        json.loads(line)["iteration"] for line in (run / "policy" / EVALUATIONS).read_text().splitlines()
    ]
    assert steps == [30, 60, 90, 120]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["env_steps"] == 120 == load_config(run / "config.yaml").policy.total_steps


def test_rewind_forgets_what_came_after_the_resume_point(tmp_path: Path) -> None:
    """A run killed without saving resumes from its last checkpoint: later evaluations,
    candidates and the best model they made are dropped."""
    (tmp_path / CANDIDATES).mkdir()
    lines = [{"iteration": s, "eval/success_rate": r} for s, r in [(30, 0.1), (60, 0.2), (90, 0.9)]]
    (tmp_path / EVALUATIONS).write_text("".join(json.dumps(line) + "\n" for line in lines))
    for step in (60, 90):
        (tmp_path / CANDIDATES / f"step_{step}.zip").write_text(str(step))
    (tmp_path / BEST_AT_LAST).write_text("best at 60")
    (tmp_path / BEST).write_text("best at 90")
    rewind_to_resume_point(tmp_path, 60)
    assert [json.loads(x)["iteration"] for x in (tmp_path / EVALUATIONS).read_text().splitlines()] == [30, 60]
    assert sorted(p.name for p in (tmp_path / CANDIDATES).iterdir()) == ["step_60.zip"]
    assert (tmp_path / BEST).read_text() == "best at 60"
    rewind_to_resume_point(tmp_path / CANDIDATES, 0)  # no records at all: nothing to do
