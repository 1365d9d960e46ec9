"""Run configs and `lbw run`: every stage on a tiny config, reuse, resume, errors."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from lbw import envs
from lbw.checkpoint import device_name
from lbw.cli import main
from lbw.config import ConfigError, RunConfig, load_config
from lbw.envs.appearance import VARIED
from lbw.evaluation.report import collect_runs, headline_table, results_table, seed_band, write_report
from lbw.files import RunDirError
from lbw.stages import configured_perception, perception_stages
from lbw.translation import Translator

CONFIGS = sorted(p for p in Path("configs").glob("*.yaml") if p.stem != "quickstart")


def tiny(tmp_path: Path, *extra: str) -> list[str]:
    """Overrides that make a whole run take seconds: few frames, steps and iterations, the
    perception models trained (tiny) rather than the config's shipped ones."""
    return [
        f"root={tmp_path / 'runs'}",
        "task=reach",
        "translator.checkpoint=null",
        "keypoints.checkpoint=null",
        "data.frames=48",
        "translator.iterations=2",
        "translator.width=4",
        "translator.batch_size=2",
        "keypoints.iterations=2",
        "keypoints.width=4",
        "keypoints.batch_size=2",
        "keypoints.num_keypoints=2",
        "policy.total_steps=120",
        "policy.learning_starts=60",
        "policy.batch_size=16",
        "policy.eval_every=60",
        "policy.eval_episodes=1",
        "policy.checkpoint_every=60",
        "eval.episodes=2",
        "eval.record=1",
        *extra,
    ]


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_configs_load(path: Path) -> None:
    config = load_config(path)
    assert config.task == path.stem and config.method == "lbw"
    assert set(yaml.safe_load(path.read_text())) == set(RunConfig().to_dict())  # every key shown


def test_quickstart_config_uses_shipped_models() -> None:
    from lbw.keypoints import KeypointDetector

    config = load_config("configs/quickstart.yaml")
    assert config.task == "reach" and config.run_dir == Path("runs/reach/quickstart")
    # Otherwise the same run as configs/reach.yaml, so that its results speak for the quickstart.
    reach = load_config("configs/reach.yaml")
    same = ("policy", "eval", "method", "alignment", "snap_to_robot")
    assert [getattr(config, key) for key in same] == [getattr(reach, key) for key in same]
    assert KeypointDetector.load(config.keypoints.checkpoint).num_keypoints == config.keypoints.num_keypoints
    assert Translator.load(config.translator.checkpoint).kind == "munit"


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'policy.lr'"):
        load_config(CONFIGS[0], ["policy.lr=0.1"])
    with pytest.raises(ConfigError, match="'policy.sed'; did you mean 'policy.seed'"):  # a typo
        load_config(CONFIGS[0], ["policy.sed=1"])
    with pytest.raises(ConfigError, match="policy.total_steps: expected int"):
        load_config(None, ["policy.total_steps=many"])
    with pytest.raises(ConfigError, match="policy.buffer_size: expected int"):
        load_config(None, ["policy.buffer_size=many"])
    assert load_config(None, ["policy.buffer_size=5000"]).policy.buffer_size == 5000
    with pytest.raises(ConfigError, match="unknown method"):
        load_config(None, ["method=telepathy"])
    with pytest.raises(ConfigError, match="policy.keypoint_reward: unknown norm 'l1'"):
        load_config(None, ["policy.keypoint_reward=l1"])
    with pytest.raises(ConfigError, match="policy.action_noise: must be ≥ 0"):
        load_config(None, ["policy.action_noise=-0.1"])
    with pytest.raises(ConfigError, match=r"policy.excursions: must be in \[0, 1\]"):
        load_config(None, ["policy.excursions=2"])
    with pytest.raises(ConfigError, match="policy.select_top: must be ≥ 1"):
        load_config(None, ["policy.select_top=0"])
    with pytest.raises(ConfigError, match="policy.learning_rate_final: must be > 0"):
        load_config(None, ["policy.learning_rate_final=0"])
    with pytest.raises(ConfigError, match="policy.learning_rate_final: expected float, got 'fast'"):
        load_config(None, ["policy.learning_rate_final=fast"])
    # YAML 1.1 reads 3e-5 as a string; configs read it as the float anyone means by it.
    assert load_config(None, ["policy.learning_rate_final=3e-5"]).policy.learning_rate_final == 3e-5
    with pytest.raises(ConfigError, match="target_entropy_from needs policy.target_entropy"):
        load_config(None, ["policy.target_entropy_from=1000"])
    with pytest.raises(ConfigError, match="snap_to_robot: the robot poses to average are the 2 selection"):
        load_config(None, ["snap_to_robot=5", "data.frames=8"])  # a quarter of 8 frames, at least 2
    with pytest.raises(ConfigError, match="key=value"):
        load_config(None, ["policy.seed"])
    with pytest.raises(ConfigError, match="no such config"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: push\nmystery: 3\n")
    with pytest.raises(ConfigError, match="'mystery'"):
        load_config(bad)
    assert load_config(None, ["policy.learning_rate=1", "policy.seed=3"]).policy.seed == 3


def test_run_end_to_end_then_reuse_and_refuse(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    run_dir = tmp_path / "runs" / "reach" / "lbw_seed0"
    info = json.loads((run_dir / "eval" / "eval_info.json").read_text())
    assert info["aggregated"]["episodes"] == 2 and len(info["per_episode"]) == 2
    assert 0.0 <= info["aggregated"]["success_rate"] <= 1.0
    aggregated = info["aggregated"]  # also under LeRobot's keys
    assert aggregated["pc_success"] == 100 * aggregated["success_rate"] and aggregated["eval_s"] > 0
    assert aggregated["avg_sum_reward"] == aggregated["mean_return"]
    assert "success rate" in out and info["videos"][0] in out and Path(info["videos"][0]).is_file()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["wall_time_s"]) == {"keypoints", "translator", "policy", "eval"}
    stages = json.loads((run_dir / "stages.json").read_text())
    built = {name: _stage_record(path).stat().st_mtime_ns for name, path in stages.items()}
    trained_on = device_name()  # "cpu" here; the GPU's name where one trained the stages
    assert all(json.loads(_stage_record(p).read_text())["trained_on"] == trained_on for p in stages.values())
    # The translator is the snapshot the unpaired keypoint gap chose, recorded beside it.
    translator = Path(stages["translator"])
    assert translator.parent.name == "snapshots"
    (selection,) = translator.parent.parent.glob("selection-*.json")
    choice = json.loads(selection.read_text())
    assert choice["selected"] == "snapshots/" + translator.name and choice["gap_px"][choice["selected"]] >= 0
    assert (
        set(choice["round_trip_px"]) == set(choice["gap_px"]) and min(choice["round_trip_px"].values()) >= 0
    )
    # eval-perception's defaults: the models the config's runs use, found without training.
    config = load_config("configs/reach.yaml", tiny(tmp_path))
    found = configured_perception(config, progress=False)
    assert {k: str(v) for k, v in found.items()} == {
        "keypoints": stages["keypoints"],
        "munit": str(translator),
    }

    # After training: does the run's own reward rank the scripted success above its policy?
    assert main(["eval-reward", "--run", str(run_dir), "--episodes", "2", "--quiet"]) == 0
    ranked = json.loads((run_dir / "reward.json").read_text())
    assert ranked["scripted_success"] == 1.0 and ranked["episodes"] == 2 and ranked["norm"] == "l2"
    assert ranked["contrasted"] == round(2 * (1 - ranked["policy_success"]))
    assert "success ranked above the policy" in capsys.readouterr().out
    assert main(["eval-reward", "--run", str(run_dir), "--episodes", "2", "--quiet"]) == 1  # kept
    assert main(["eval-reward", "--run", str(tmp_path), "--quiet"]) == 1  # not a run folder
    assert "not a run folder" in capsys.readouterr().err
    # Before training, a method that translates nothing (the paired robot clip) needs no translator.
    robot_demo = tmp_path / "robot_demo.yaml"
    robot_demo.write_text(f"task: reach\nmethod: robot_demo\nroot: {tmp_path / 'runs'}\n")
    reward_args = ["eval-reward", "--task", "reach", "--starts", "default", "--episodes", "1", "--quiet"]
    out = tmp_path / "reward_robot_demo"
    command = [
        *reward_args,
        "--config",
        str(robot_demo),
        "--keypoints",
        stages["keypoints"],
        "--out",
        str(out),
    ]
    assert main(command) == 0
    assert json.loads((out / "reward.json").read_text())["translator"] is None

    # A config naming a MUNIT checkpoint gives lbw_cyclegan the CycleGAN stage, and says so.
    cyclegan = load_config(
        "configs/reach.yaml", tiny(tmp_path, "method=lbw_cyclegan", f"translator.checkpoint={translator}")
    )
    assert Translator.load(perception_stages(cyclegan, progress=False)["translator"]).kind == "cyclegan"
    assert "is a munit translator; method lbw_cyclegan uses" in capsys.readouterr().err

    # A finished run is never overwritten without being told.
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path), "--quiet"]) == 1
    assert "already holds a run" in capsys.readouterr().err
    # Another policy seed reuses the perception stages: same folders, not rebuilt.
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path, "policy.seed=1"), "--quiet"]) == 0
    again = json.loads((tmp_path / "runs" / "reach" / "lbw_seed1" / "stages.json").read_text())
    assert again == stages
    assert all(_stage_record(p).stat().st_mtime_ns == built[n] for n, p in again.items())
    # A changed perception config makes a new stage.
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path, "keypoints.seed=1", "name=k1"), "--quiet"]) == 0
    changed = json.loads((tmp_path / "runs" / "reach" / "k1" / "stages.json").read_text())
    assert changed["keypoints"] != stages["keypoints"]
    # The translator trains against the detector (its keypoint prior): a new detector, a new translator.
    assert changed["translator"] != stages["translator"]
    record = json.loads(_stage_record(changed["translator"]).read_text())
    assert record["keypoint_prior_detector"] == changed["keypoints"] and record["threads"] >= 1

    # The report is made from the run folders alone.
    runs = [str(p) for p in sorted((tmp_path / "runs" / "reach").glob("*_seed*"))]
    assert main(["report", *runs, "--out", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / "results.md").read_text()
    assert "| reach | lbw |" in page and (tmp_path / "report" / "curves_reach.png").is_file()
    assert list((tmp_path / "report" / "videos").glob("reach_lbw_seed*.mp4"))
    # The browsable page: the table, the curves and each run's video, map and config, standing alone.
    index = (tmp_path / "report" / "index.html").read_text()
    assert "<td>reach</td><td>lbw</td>" in index and 'src="curves_reach.png"' in index
    for link in re.findall(r'src="(runs/[^"]+)"', index):
        assert (tmp_path / "report" / link).is_file(), link
    assert "runs/reach/lbw_seed1/episode.mp4" in index and "policy:" in index  # the config, inline


def _stage_record(checkpoint: str) -> Path:
    """The stage.json of the stage that made a checkpoint (its folder, or a snapshot's)."""
    return next(p / "stage.json" for p in Path(checkpoint).parents if (p / "stage.json").exists())


def test_resume_goes_on_and_rejects_a_changed_config(tmp_path: Path) -> None:
    config = load_config("configs/reach.yaml", tiny(tmp_path, "method=oracle"))
    from lbw.pipeline import run_pipeline
    from lbw.run_dir import save_run_config

    save_run_config(config)  # a run that was interrupted before any stage finished
    with pytest.raises(RunDirError, match="resume"):
        run_pipeline(config, progress=False)
    metrics = run_pipeline(config, resume=True, progress=False)
    assert metrics["method"] == "oracle" and metrics["env_steps"] == 120
    # Resuming a finished run with more steps trains on from its last checkpoint.
    config.policy.total_steps = 180
    assert run_pipeline(config, resume=True, progress=False)["env_steps"] == 180
    curve = (config.run_dir / "policy" / "evaluations.jsonl").read_text().splitlines()
    assert [json.loads(line)["iteration"] for line in curve] == [60, 120, 180]
    # Resumed as it finished: nothing runs again; with fewer steps than trained: refused.
    evaluated = (config.run_dir / "eval" / "eval_info.json").stat().st_mtime_ns
    assert run_pipeline(config, resume=True, progress=False)["env_steps"] == 180
    assert (config.run_dir / "eval" / "eval_info.json").stat().st_mtime_ns == evaluated
    config.policy.total_steps = 120
    with pytest.raises(RunDirError, match="has trained 180 env steps"):
        run_pipeline(config, resume=True, progress=False)
    assert load_config(config.run_dir / "config.yaml").policy.total_steps == 180
    config.policy.total_steps = 180
    # A copy in another folder trains on as the run would, though its config.yaml has the old name.
    shutil.copytree(config.run_dir, config.run_dir.with_name("longer_seed0"))
    longer = dataclasses.replace(
        config, name="longer_seed0", policy=dataclasses.replace(config.policy, total_steps=240)
    )
    assert run_pipeline(longer, resume=True, progress=False)["env_steps"] == 240
    assert load_config(longer.run_dir / "config.yaml").name == "longer_seed0"
    assert run_pipeline(config, resume=True, progress=False)["env_steps"] == 180  # the original kept
    config.policy.gamma = 0.5
    with pytest.raises(RunDirError, match="policy"):
        run_pipeline(config, resume=True, progress=False)


def test_a_run_folder_in_use_is_refused(tmp_path: Path) -> None:
    """Two processes never train into one run folder: while one holds it (here this test, as a
    sweep or a command sent twice would), starting or resuming the run is an error, and
    `lbw run` says so with exit code 1; once it is let go, the run starts."""
    from lbw.run_dir import run_lock

    args = tiny(tmp_path, "method=random", "eval.record=0")
    config = load_config("configs/reach.yaml", args)
    with run_lock(config):
        with pytest.raises(RunDirError, match="in use by another process"):
            with run_lock(config):
                pass
        assert main(["run", "reach", *args, "--quiet"]) == 1
        assert not config.run_dir.exists()
    assert main(["run", "reach", *args, "--quiet"]) == 0
    assert (config.run_dir.parent / ".locks" / "random_seed0.lock").is_file()  # out of `runs/reach/*_seed*`


def test_replay_baseline_replays_the_demonstrator_open_loop(tmp_path: Path) -> None:
    """replay is one registration (lbw.methods): no policy trained, the demo episode's actions
    replayed; drawer_close needs no feedback (50 of 50 measured), reach does (33 of 50)."""
    overrides = tiny(tmp_path, "method=replay", "eval.episodes=3", "eval.record=0")
    assert main(["run", "drawer_close", *overrides, "task=drawer_close", "--quiet"]) == 0
    run_dir = tmp_path / "runs" / "drawer_close" / "replay_seed0"
    info = json.loads((run_dir / "eval" / "eval_info.json").read_text())
    assert info["aggregated"]["success_rate"] == 1.0 and info["policy"].endswith(":replay_policy")
    assert json.loads((run_dir / "metrics.json").read_text())["env_steps"] == 0
    assert not (run_dir / "policy" / "best_model.zip").exists()


def test_random_baseline_and_evaluate_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "configs/push.yaml", *tiny(tmp_path, "method=random", "task=push"), "--quiet"]) == 0
    run_dir = tmp_path / "runs" / "push" / "random_seed0"
    assert main(["evaluate", str(run_dir), "--episodes", "3", "--quiet"]) == 0
    info = json.loads((run_dir / "eval" / "eval_info.json").read_text())
    assert info["aggregated"]["episodes"] == 3 and info["videos"] == []
    # Each episode's start is the seeded reset's, and the success map shows them.
    _, reset_info = envs.make("push").reset(seed=info["per_episode"][1]["seed"])
    starts = [episode["initial_positions"]["block"] for episode in info["per_episode"]]
    assert starts[1] == np.round(reset_info["positions"]["block"], 4).tolist() and starts[0] != starts[1]
    assert (run_dir / "eval" / "success_map.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["evaluate", str(run_dir), "--episodes", "2", "--record", "--quiet"]) == 0
    info = json.loads((run_dir / "eval" / "eval_info.json").read_text())
    assert len(info["videos"]) == 2 and all(Path(v).is_file() for v in info["videos"])


def test_report_needs_finished_runs(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 1
    assert "metrics.json" in capsys.readouterr().err


def test_bad_demo_clip_and_missing_policy(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    clip = tmp_path / "empty.mp4"
    clip.write_bytes(b"")
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path, f"demo={clip}"), "--quiet"]) == 1
    assert "empty.mp4" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nowhere"), "--quiet"]) == 1
    assert "not a run folder" in capsys.readouterr().err
    missing = ["keypoints.checkpoint=/nowhere/transporter.pt", "name=missing"]
    assert main(["run", "configs/reach.yaml", *tiny(tmp_path, *missing), "--quiet"]) == 1
    assert "/nowhere/transporter.pt: no such checkpoint" in capsys.readouterr().err


def test_a_stage_being_built_makes_another_run_wait_and_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    import threading

    from lbw.files import held_lock

    stage, order = tmp_path / "keypoints-abc", []
    with held_lock(stage):
        waiter = threading.Thread(target=lambda: _enter(stage, order))
        waiter.start()
        waiter.join(timeout=0.3)
        assert waiter.is_alive()  # blocked while the first holder builds
        order.append("built")
    waiter.join(timeout=5)
    assert order == ["built", "entered"]
    assert f"waiting for another process to finish {stage}" in capsys.readouterr().err


def _enter(stage: Path, order: list[str]) -> None:
    from lbw.files import held_lock

    with held_lock(stage):
        order.append("entered")


def test_seed_band_averages_where_every_seed_was_evaluated() -> None:
    curves = [[(5, 0.0), (10, 0.5), (15, 1.0)], [(5, 0.2), (10, 0.1)]]
    steps, mean, low, high = seed_band(curves)
    assert steps.tolist() == [5, 10]  # step 15: one seed only (a run resumed for more steps)
    assert np.allclose(mean, [0.1, 0.3]) and np.allclose(low, [0.0, 0.1]) and np.allclose(high, [0.2, 0.5])


def test_report_rows_are_methods_and_named_variants(tmp_path: Path) -> None:
    def finished(name: str, method: str, seed: int, success: float) -> Path:
        run_dir = tmp_path / name
        run_dir.mkdir()
        metrics = {"task": "push", "method": method, "seed": seed, "success_rate": success}
        metrics |= {"env_steps": 1000, "wall_time_s": {"policy": 60.0}, "videos": []}
        (run_dir / "metrics.json").write_text(json.dumps(metrics))
        return run_dir

    runs = collect_runs(
        [
            finished("oracle_fast_seed0", "oracle", 0, 1.0),
            finished("oracle_seed1", "oracle", 1, 0.5),
            finished("oracle_seed0", "oracle", 0, 0.0),
            finished("lbw_seed0", "lbw", 0, 0.8),
        ]
    )
    rows = [line.split(" | ")[1:4] for line in results_table(runs).splitlines()[2:]]
    assert rows == [
        ["lbw", "0.80 ± 0.00", "0.80"],
        ["oracle", "0.25 ± 0.25", "0.00 0.50"],
        ["oracle_fast", "1.00 ± 0.00", "1.00"],
    ]
    # The headline: one row per task, lbw per seed, each baseline by its method's name (the
    # exact label; a variant alone would stand in for it), – where absent.
    headline = headline_table(
        [*runs, *collect_runs([finished("random_starts-wide_seed0", "random", 0, 0.1)])]
    )
    assert headline.splitlines()[2] == "| push (1k) | **0.80** ± 0.00 | 0.80 | – | 0.25 | – | 0.10 |"
    # Beside lbw_starts-wide, the baseline of that variant (of two oracle variants, neither "oracle").
    wide = [("lbw_starts-wide", "lbw", 0.4), ("oracle_starts-wide", "oracle", 0.9)]
    wide += [("oracle_120k_starts-wide", "oracle", 0.5)]
    wide_runs = collect_runs([finished(f"{label}_seed0", method, 0, rate) for label, method, rate in wide])
    assert (
        headline_table(wide_runs).splitlines()[2]
        == "| push (1k) | **0.40** ± 0.00 | 0.40 | – | 0.90 | – | – |"
    )


def test_env_steps_to_the_first_evaluation_at_0_8() -> None:
    from lbw.evaluation.report import steps_to

    seeds = [
        {"curve": [(5000, 0.2), (10000, 0.85), (15000, 0.5)]},
        {"curve": [(5000, 0.0), (10000, 0.6), (15000, 0.9), (20000, 1.0)]},
        {"curve": [(5000, 0.0), (10000, 0.1)]},
    ]
    assert steps_to(seeds) == "12,500 (2/3)"  # the median over the seeds that got there
    assert steps_to(seeds[2:]) == "never (0/1)" and steps_to([{"curve": []}]) == "–"


def test_report_copies_the_best_lbw_video_and_warns_of_stale_files(tmp_path: Path) -> None:
    from lbw.video import write_video

    clip = tmp_path / "episode_000.mp4"
    write_video(clip, np.zeros((4, 48, 48, 3), np.uint8), fps=10)
    run_dir = tmp_path / "lbw_seed3"
    run_dir.mkdir()
    metrics = {"task": "push", "method": "lbw", "seed": 3, "success_rate": 0.5, "env_steps": 10}
    metrics |= {"wall_time_s": {"policy": 1.0}, "videos": [str(clip)]}
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    runs = collect_runs([run_dir])

    write_report(runs, tmp_path / "plain", videos=False)
    assert not (tmp_path / "plain" / "videos").exists()
    out = tmp_path / "report"
    write_report(runs, out)
    assert sorted(p.name for p in (out / "videos").iterdir()) == ["push_lbw_seed3.gif", "push_lbw_seed3.mp4"]
    (out / "videos" / "old.mp4").write_bytes(b"")
    with pytest.warns(UserWarning, match="old.mp4"):
        write_report(runs, out)
    assert (out / "videos" / "old.mp4").exists()  # left alone

    # Another run added later, without the first run's folder: its record and video stay.
    shutil.rmtree(run_dir)
    clip.unlink()
    (out / "videos" / "old.mp4").unlink()
    other = tmp_path / "oracle_seed0"
    other.mkdir()
    metrics |= {"method": "oracle", "seed": 0, "success_rate": 0.9, "videos": []}
    (other / "metrics.json").write_text(json.dumps(metrics))
    assert main(["report", str(other), "--out", str(out), "--add"]) == 0
    assert [r["label"] for r in json.loads((out / "runs.json").read_text())] == ["lbw", "oracle"]
    assert (out / "videos" / "push_lbw_seed3.mp4").stat().st_size > 0  # kept, folder gone

    # A later run in that first run's folder does not overwrite what the report shows of it.
    page = out / "runs" / "push" / "lbw_seed3"
    (page / "config.yaml").write_text("method: lbw  # the run reported\n")
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("method: lbw  # a later run of the same name\n")
    assert main(["report", str(other), "--out", str(out), "--add"]) == 0
    assert "the run reported" in (page / "config.yaml").read_text()
    assert main(["report", str(other), "--out", str(tmp_path / "empty"), "--add"]) == 1

    # --drop takes recorded runs out (new runs of another name replace them); a pattern that
    # matches nothing, or --drop without --add, is an error and changes nothing.
    before = (out / "runs.json").read_text()
    assert main(["report", str(other), "--out", str(out), "--add", "--drop", "*/lbw_seed9"]) == 1
    assert main(["report", str(other), "--out", str(out), "--drop", str(run_dir)]) == 1
    assert (out / "runs.json").read_text() == before
    assert main(["report", str(other), "--out", str(out), "--add", "--drop", str(tmp_path / "lbw_*")]) == 0
    assert [r["label"] for r in json.loads((out / "runs.json").read_text())] == ["oracle"]


def test_stage_names_follow_what_they_are_trained_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lbw.stages import data_path, stage_folder

    base = load_config(None, ["task=reach", "translator.keypoint_prior=0"])
    default_look = load_config(
        None, ["task=reach", "translator.keypoint_prior=0", "data.human_appearance=default"]
    )
    # The human frames' look names the human dataset (and so the translator), not the robot's.
    assert data_path(base, "human") != data_path(default_look, "human")
    assert data_path(base, "robot") == data_path(default_look, "robot")
    assert stage_folder(base, "keypoints") == stage_folder(default_look, "keypoints")
    # A range set whose ranges changed (its version bumped) names new frames; version 1 adds nothing.
    rooms = load_config(None, ["task=reach", "data.human_appearance=varied_rooms"])
    before = data_path(rooms, "human")
    monkeypatch.setitem(VARIED, "varied_rooms", dataclasses.replace(VARIED["varied_rooms"], version=3))
    assert data_path(rooms, "human") != before
    assert data_path(base, "human").name == "data_human-281e248dca.npz"  # the name before versions
    assert stage_folder(base, "translator_munit") != stage_folder(default_look, "translator_munit")
    # A translator trained against a keypoint prior is named by that detector too.
    detectors = [tmp_path / "a.pt", tmp_path / "b.pt"]
    for i, path in enumerate(detectors):
        path.write_bytes(bytes([i]) * 10)
    prior = load_config(None, ["task=reach", "translator.keypoint_prior=1.0"])
    names = {stage_folder(prior, "translator_munit", d) for d in detectors}
    assert len(names) == 2 and stage_folder(base, "translator_munit") not in names
    assert stage_folder(base, "translator_munit", detectors[0]) == stage_folder(base, "translator_munit")
    with pytest.raises(ValueError, match="keypoint detector"):
        stage_folder(prior, "translator_munit")
    with pytest.raises(ConfigError, match="data.human_appearance: unknown appearance 'nobody'"):
        load_config(None, ["data.human_appearance=nobody"])
    with pytest.raises(ConfigError, match="alignment: unknown alignment 'warp'"):
        load_config(None, ["alignment=warp"])


def test_translator_restarts_keep_the_training_with_the_smallest_gap(tmp_path: Path) -> None:
    from lbw.stages import keypoints_stage, trained_translator

    config = load_config("configs/reach.yaml", tiny(tmp_path, "translator.restarts=2"))
    keypoints = keypoints_stage(config, progress=False)
    chosen = trained_translator(config, "munit", keypoints, progress=False)
    # One stage per seed, each with its own snapshot choice; the smaller of their gaps wins.
    selections = sorted((tmp_path / "runs" / "reach" / "stages").glob("translator_munit-*/selection-*.json"))
    assert len(selections) == 2
    best = {
        (s.parent / (r := json.loads(s.read_text()))["selected"]): r["gap_px"][r["selected"]]
        for s in selections
    }
    assert chosen == min(best, key=best.__getitem__)
    # Restart 0 is the plain config's training, reused; a restart not trained yet means none.
    single = load_config("configs/reach.yaml", tiny(tmp_path))
    assert trained_translator(single, "munit", keypoints, build=False) in best
    more = load_config("configs/reach.yaml", tiny(tmp_path, "translator.restarts=3"))
    assert trained_translator(more, "munit", keypoints, build=False) is None
    with pytest.raises(ConfigError, match="translator.restarts > 1 .* translator.select: true"):
        load_config(None, ["translator.restarts=2", "translator.select=false"])


def test_consensus_translates_each_frame_as_one_of_its_members(tmp_path: Path) -> None:
    """translator.consensus: a small checkpoint naming the second-half snapshots of every
    training (relative paths: it moves with them); each translated frame is a member's."""
    from lbw.stages import keypoints_stage, trained_translator
    from lbw.translation import Translator
    from lbw.video import read_video

    overrides = tiny(tmp_path, "translator.restarts=2", "translator.consensus=true")
    config = load_config("configs/reach.yaml", overrides)
    keypoints = keypoints_stage(config, progress=False)
    path = trained_translator(config, "munit", keypoints, progress=False)
    assert path is not None and path.suffix == ".json"
    assert trained_translator(config, "munit", keypoints, build=False) == path
    members = json.loads(path.read_text())["members"]
    assert len(members) == 2 and not any(Path(m).is_absolute() for m in members)
    frames = read_video(config.demo_clip)[:6]
    translated = Translator.load(path)(frames)
    by_member = [Translator.load(path.parent / m)(frames) for m in members]
    assert translated.shape == by_member[0].shape
    assert all(any((m[t] == translated[t]).all() for m in by_member) for t in range(len(frames)))
    shutil.move(tmp_path / "runs", tmp_path / "moved")
    moved = tmp_path / "moved" / path.relative_to(tmp_path / "runs")
    assert (Translator.load(moved)(frames) == translated).all()
    with pytest.raises(ConfigError, match="consensus .* set translator.checkpoint: null"):
        load_config("configs/reach.yaml", ["translator.consensus=true"])
    with pytest.raises(ConfigError, match="consensus .* drop select_on: clip"):
        load_config(None, ["translator.consensus=true", "translator.select_on=clip"])


def test_select_on_clip_judges_the_snapshots_on_the_run_clip(tmp_path: Path) -> None:
    """translator.select_on: clip picks, among every training's snapshots, the one whose
    translation of the config's demo clip lies nearest the robot's keypoints (its unpaired gap)."""
    from lbw.evaluation.demo_check import clip_gap
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.stages import keypoints_stage, selection_frames, trained_translator
    from lbw.translation import Translator
    from lbw.video import read_video, resize

    config = load_config(
        "configs/reach.yaml", tiny(tmp_path, "translator.restarts=2", "translator.select_on=clip")
    )
    keypoints = keypoints_stage(config, progress=False)
    chosen = trained_translator(config, "munit", keypoints, progress=False)
    (record,) = (tmp_path / "runs" / "reach" / "stages").glob("translator_munit-*/clip-*.json")
    gaps = json.loads(record.read_text())["gap_px"]
    assert len(gaps) == 2 and str(chosen) == min(gaps, key=gaps.__getitem__)
    detector = KeypointDetector.load(keypoints)
    frames = resize(read_video(config.demo_clip), detector.image_size)
    robot = detector(selection_frames(config, "robot", progress=False).frames)
    assert gaps[str(chosen)] == pytest.approx(
        clip_gap(detector(Translator.load(chosen)(frames)), robot), abs=1e-3
    )
    # Another clip is judged on its own frames, in a record of its own.
    other = load_config(
        "configs/reach.yaml",
        [*tiny(tmp_path, "translator.restarts=2", "translator.select_on=clip"), "demo=videos/push_human.mp4"],
    )
    assert trained_translator(other, "munit", keypoints, build=False) is not None
    assert len(list((tmp_path / "runs" / "reach" / "stages").glob("translator_munit-*/clip-*.json"))) == 2
    with pytest.raises(ConfigError, match="select_on: clip .* set translator.checkpoint: null"):
        load_config("configs/reach.yaml", ["translator.select_on=clip"])
    with pytest.raises(ConfigError, match="translator.select_on: unknown"):
        load_config(None, ["translator.select_on=video"])


def test_alternatives_choose_a_named_translator_on_the_run_clip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With translator.alternatives the run keeps translator.checkpoint while the clip check
    passes its translation of the clip (unpaired gap within GAP_WARN× the paired robot clip's),
    and otherwise uses the translator, of them all, with the smallest gap."""
    from lbw.checkpoint import CheckpointError
    from lbw.evaluation import demo_check
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.stages import (
        keypoints_stage,
        perception_stages,
        selection_frames,
        stage_folder,
        trained_translator,
    )
    from lbw.translation import Translator
    from lbw.video import read_video, resize

    config = load_config("configs/reach.yaml", tiny(tmp_path))
    keypoints = keypoints_stage(config, progress=False)
    first = trained_translator(config, "munit", keypoints, progress=False)
    seed_1 = load_config("configs/reach.yaml", tiny(tmp_path, "translator.seed=1"))
    second = trained_translator(seed_1, "munit", keypoints, progress=False)
    named = [f"translator.checkpoint={first}", f"translator.alternatives=[{second}]"]
    chooser = load_config("configs/reach.yaml", tiny(tmp_path, *named))
    stages = tmp_path / "runs" / "reach" / "stages"
    for warn_at, expected in ((1e9, "first"), (0.0, "smallest")):  # the check passes all / none
        for record in stages.glob("translator_choice-*.json"):
            record.unlink()
        monkeypatch.setattr(demo_check, "GAP_WARN", warn_at)
        chosen = perception_stages(chooser, progress=False)["translator"]
        (record,) = stages.glob("translator_choice-*.json")
        choice = json.loads(record.read_text())
        gaps = choice["gap_px"]
        assert set(gaps) == {str(first), str(second)} and choice["selected"] == chosen
        assert chosen == (str(first) if expected == "first" else min(gaps, key=gaps.__getitem__))
    detector = KeypointDetector.load(keypoints)
    frames = resize(read_video(chooser.demo_clip), detector.image_size)
    robot = detector(selection_frames(chooser, "robot", progress=False).frames)
    for path, gap in gaps.items():
        translated = detector(Translator.load(path)(frames))
        assert gap == pytest.approx(demo_check.clip_gap(translated, robot), abs=1e-3)
    paired = detector(read_video(chooser.robot_demo_clip, size=detector.image_size))
    assert choice["reference_gap_px"] == pytest.approx(demo_check.clip_gap(paired, robot), abs=1e-3)
    # The stage a config trains is named without the alternatives: they choose, they do not train.
    assert stage_folder(chooser, "translator_munit", keypoints) == first.parents[1]
    # Companions of a named checkpoint: a run that trains its translator does not use them.
    trains = load_config("configs/reach.yaml", tiny(tmp_path, named[1]))
    assert perception_stages(trains, progress=False)["translator"] == str(first)
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        missing = tiny(tmp_path, named[0], "translator.alternatives=[nothing.pt]")
        perception_stages(load_config("configs/reach.yaml", missing), progress=False)


def test_snap_to_robot_puts_the_run_reference_on_robot_poses(tmp_path: Path) -> None:
    """snap_to_robot k: the run's reward reference keeps its timing, and a step at a clip frame
    (the held final pose) is the mean of the k robot poses nearest that frame's keypoints,
    among the robot frames no model trains on (``selection_frames``)."""
    from lbw.policy.methods import method_env_factory
    from lbw.policy.reference import pose_distances, to_unit
    from lbw.stages import selection_frames

    own = load_config("configs/reach.yaml", tiny(tmp_path, "snap_to_robot=0"))  # reach's config snaps
    stages = perception_stages(own, progress=False)
    plain = method_env_factory(own, stages)
    size = plain.detector.image_size
    robot = to_unit(plain.detector(selection_frames(own, "robot", progress=False).frames), size)
    for k in (1, 3):
        snapped = method_env_factory(dataclasses.replace(own, snap_to_robot=k), stages)
        a, b = plain.demonstration, snapped.demonstration
        np.testing.assert_array_equal(a.source_times, b.source_times)
        assert a.source_times[-1] == round(a.source_times[-1])  # the held pose: a clip frame
        nearest = np.argsort(pose_distances(a.keypoints[-1:], robot)[0])[:k]
        np.testing.assert_allclose(b.keypoints[-1], robot[nearest].mean(0), atol=1e-5)
    oracle = dataclasses.replace(own, method="oracle", snap_to_robot=1)
    assert method_env_factory(oracle, {}).demonstration is None  # no clip: nothing to snap


def test_robot_pose_keypoints_are_computed_once_per_detector(tmp_path: Path) -> None:
    """The robot poses a run judges and snaps its clip against go through the detector once
    per process: a detector loaded again from the same checkpoint gets the same array back, a
    detector with other weights gets its own, and neither can be written to."""
    from lbw.keypoints.trainer import KeypointDetector
    from lbw.stages import keypoints_stage, robot_pose_keypoints, selection_frames

    config = load_config("configs/reach.yaml", tiny(tmp_path))
    checkpoint = keypoints_stage(config, progress=False)
    first = robot_pose_keypoints(config, KeypointDetector.load(checkpoint))
    again = KeypointDetector.load(checkpoint)
    assert robot_pose_keypoints(config, again) is first
    np.testing.assert_array_equal(first, again(selection_frames(config, "robot", progress=False).frames))
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0, 0] = 0.0
    with torch.no_grad():
        next(again.model.parameters()).add_(1.0)
    assert again.fingerprint() != KeypointDetector.load(checkpoint).fingerprint()
    assert robot_pose_keypoints(config, again) is not first
