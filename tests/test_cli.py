"""The ``lbw`` command line: help for every command, outputs, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lbw.cli import main
from lbw.dataset import load_frames
from tests.test_pipeline import tiny


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


def test_eval_perception_refuses_to_overwrite_a_result(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "perception.json").write_text("{}")
    assert main(["eval-perception", "--task", "push", "--out", str(tmp_path), "--quiet"]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "perception.json").read_text() == "{}"


def test_collect_writes_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
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
    written = out.stat().st_mtime_ns
    assert main(argv) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert out.stat().st_mtime_ns == written
    quiet = tmp_path / "quiet.npz"
    assert main([*argv[:-2], str(quiet), "--quiet-demos", "0.5", "--quiet"]) == 0
    assert load_frames(quiet).meta["quiet_demos"] == 0.5
    with pytest.raises(SystemExit):
        main([*argv[:-2], str(tmp_path / "bad.npz"), "--quiet-demos", "2", "--quiet"])
    assert "a share of episodes in [0, 1], got 2" in capsys.readouterr().err
    tables = tmp_path / "tables.npz"
    assert main([*argv[:-2], str(tables), "--appearance", "varied_tables", "--quiet"]) == 0
    assert load_frames(tables).meta["appearance"] == "varied_tables"


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


def test_bench_sac_times_the_learner_on_the_device_asked(tmp_path: Path) -> None:
    out = tmp_path / "sac.json"
    assert (
        main(["bench", "sac", "--device", "cpu", "--steps", "50", "--repeats", "1", "--json", str(out)]) == 0
    )
    (row,) = json.loads(out.read_text())
    assert row["device"] == "cpu" and row["obs_dim"] == 13 and row["steps_per_s"] > 0


def test_bench_policy_trains_as_the_task_config_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    from lbw import bench
    from lbw.config import load_config
    from lbw.policy import sac

    built = []
    build_sac = sac.build_sac

    def recording_build_sac(env, config, device):  # noqa: ANN001, ANN202
        built.append((env, config))
        return build_sac(env, config, device)

    monkeypatch.setattr(sac, "build_sac", recording_build_sac)
    policy = load_config("configs/push.yaml").policy
    row = bench.bench_policy("push", "lbw", steps=20, repeats=1, policy=policy)
    ((env, config),) = built
    assert env.observation_space.shape == (6 * 2 + 1 + 3,)  # keypoints, phase, effector position
    assert config.excursions == policy.excursions > 0 and config.train_freq == policy.train_freq
    assert row.env_steps_per_s > 0 and row.sac_steps_per_s > 0


def test_bench_policy_n_envs_and_overlap_override() -> None:
    from lbw.cli.simulation import _bench_policy_config
    from lbw.config import ConfigError, load_config

    shipped = load_config("configs/push.yaml").policy
    assert _bench_policy_config("push", None) == shipped  # the task config's
    assert _bench_policy_config("push", 2).n_envs == 2
    overlapped = _bench_policy_config("push", 2, not shipped.overlap_updates)
    assert overlapped.n_envs == 2 and overlapped.overlap_updates != shipped.overlap_updates
    with pytest.raises(ConfigError, match="n_envs=3"):  # cannot keep one update per 2 env steps
        _bench_policy_config("push", 3)


def test_bad_choices_exit_with_usage() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--task", "juggle"])
    assert exit_info.value.code == 2


def test_keypoints_and_translate_commands(tmp_path: Path) -> None:
    import numpy as np

    from lbw.keypoints import TransporterConfig, TransporterTrainConfig, TransporterTrainer
    from lbw.translation import CycleGANConfig, CycleGANTrainer, TranslatorTrainConfig
    from lbw.video import read_video

    repo = Path(__file__).resolve().parents[1]
    kp_config = TransporterTrainConfig(model=TransporterConfig(num_keypoints=2, width=4, image_size=32))
    kp_checkpoint = TransporterTrainer(kp_config).save(tmp_path / "transporter.pt")
    clip = str(repo / "videos" / "push_robot.mp4")
    out, overlay = tmp_path / "kp.npy", tmp_path / "overlay.mp4"
    assert (
        main(
            [
                "keypoints",
                clip,
                "--checkpoint",
                str(kp_checkpoint),
                "--out",
                str(out),
                "--overlay",
                str(overlay),
            ]
        )
        == 0
    )
    assert np.load(out).shape == (61, 2, 2)
    assert read_video(overlay).shape == (61, 128, 128, 3)

    translator = CycleGANTrainer(
        CycleGANConfig(width=4, num_res=1, disc_width=4), TranslatorTrainConfig(image_size=32)
    )
    tr_checkpoint = translator.save(tmp_path / "translator.pt")
    translated = tmp_path / "translated.mp4"
    assert (
        main(
            [
                "translate",
                str(repo / "videos" / "push_human.mp4"),
                "--checkpoint",
                str(tr_checkpoint),
                "--out",
                str(translated),
            ]
        )
        == 0
    )
    assert read_video(translated).shape == (61, 32, 32, 3)
    # A translator checkpoint is not a keypoint checkpoint: a clear error, exit code 1.
    assert main(["keypoints", clip, "--checkpoint", str(tr_checkpoint), "--out", str(out)]) == 1
    assert (
        main(["translate", clip, "--checkpoint", str(tmp_path / "missing.pt"), "--out", str(translated)]) == 1
    )


def test_train_commands_build_the_stages_lbw_run_uses(tmp_path: Path) -> None:
    """train-keypoints and train-translator are lbw run's perception stages: the run that
    follows reuses both (and the translator snapshot the selection chose); eval-alignment
    measures them."""
    from lbw.config import load_config
    from lbw.stages import perception_stages

    args = tiny(tmp_path, "keypoints.checkpoint=null", "translator.checkpoint=null")
    assert main(["train-keypoints", "reach", *args, "--quiet"]) == 0
    (detector,) = (tmp_path / "runs" / "reach" / "stages").glob("keypoints-*/transporter.pt")
    (data,) = (tmp_path / "runs" / "reach" / "stages").glob("data_robot-*.npz")
    assert len(load_frames(data)) == 48
    assert main(["train-translator", "reach", *args, "--quiet"]) == 0
    stages = perception_stages(load_config("configs/reach.yaml", args), progress=False)
    assert stages["keypoints"] == str(detector) and "translator_munit-" in stages["translator"]
    assert Path(stages["translator"]).parent.name == "snapshots"  # the selected snapshot
    (picture,) = Path(stages["translator"]).parents[1].glob("selection-*.png")  # the choice, drawn
    assert picture.stat().st_size > 0

    # eval-alignment on these models: each re-timed variant's reference error, per source and
    # alignment, in OUT/alignment.json; a second call does not overwrite it.
    out = tmp_path / "alignment"
    argv = ["eval-alignment", "--task", "reach", "--keypoints", str(detector)]
    argv += ["--translator", stages["translator"]]
    assert main([*argv, "--variants", "idle_start,wide", "--out", str(out)]) == 0
    result = json.loads((out / "alignment.json").read_text())
    for source in ("translated", "paired robot"):
        pace = result[source]["pace"]
        assert set(pace) == {"scripted", "idle_start", "wide"} and pace["scripted"] == 0.0  # the yardstick
        assert all(v >= 0 for v in result[source]["uniform"].values())
    assert result["frames"]["idle_start"] == result["frames"]["scripted"] + 20
    assert main([*argv, "--variants", "idle_start", "--out", str(out)]) == 1  # kept: --overwrite replaces it
    for bad in (["--variants", "idle_start,sideways"], ["--appearance", "varied"]):
        with pytest.raises(SystemExit):  # a usage error, before any work
            main([*argv, *bad])


def test_train_policy_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """train-policy: the run's stages and policy, the same folder rules as lbw run (refused
    without --resume, nothing to do once trained), then lbw evaluate on the folder."""
    args = [*tiny(tmp_path), "method=oracle", "--quiet"]
    assert main(["train-policy", "reach", *args]) == 0
    run = tmp_path / "runs" / "reach" / "oracle_seed0"
    assert (run / "policy" / "best_model.zip").is_file() and (run / "stages.json").is_file()
    assert main(["train-policy", "reach", *args]) == 1
    assert "pass --resume" in capsys.readouterr().err
    trained = (run / "policy" / "best_model.zip").stat().st_mtime_ns
    assert main(["train-policy", "reach", *args, "--resume"]) == 0
    assert (run / "policy" / "best_model.zip").stat().st_mtime_ns == trained  # trained: nothing to do
    assert main(["evaluate", str(run), "--quiet"]) == 0
    assert json.loads((run / "eval" / "eval_info.json").read_text())["aggregated"]["episodes"] == 2


def test_demo_in_another_look_and_pace(tmp_path: Path) -> None:
    from lbw.video import read_video

    base = ["demo", "--task", "reach", "--image-size", "32"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    argv = [*base, "--appearance", "white_shirt_blue_table", "--timing", "idle_start", "--width", "48"]
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    scripted, retimed = (read_video(tmp_path / d / "reach_human.mp4") for d in "ab")
    assert retimed.shape == (len(scripted) + 20, 32, 48, 3)  # 20 still frames first, filmed wider
    sidecar = json.loads((tmp_path / "b" / "reach_demo.json").read_text())
    assert (
        sidecar["appearance"]["table"]
        != json.loads((tmp_path / "a" / "reach_demo.json").read_text())["appearance"]["table"]
    )
    assert sidecar["source_times"][:21] == [0.0] * 21 and "--timing idle_start" in sidecar["command"]
    for bad in ("nobody", "varied_tables"):  # a demo has one look, not ranges to draw from
        with pytest.raises(SystemExit):
            main([*base, "--appearance", bad])


def test_tensorboard_logs_when_asked(tmp_path: Path) -> None:
    """tensorboard=true: a perception stage's losses and sample pictures, and SAC's train/* and
    eval/* keys, land in TensorBoard event files beside log.jsonl."""
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

    def events(folder: Path) -> dict[str, list[str]]:
        (events_dir,) = {p.parent for p in folder.rglob("events.out.tfevents.*")}
        loaded = accumulator.EventAccumulator(str(events_dir), size_guidance={"images": 0})
        loaded.Reload()
        return loaded.Tags()

    args = [*tiny(tmp_path, "keypoints.checkpoint=null"), "tensorboard=true", "--quiet"]
    assert main(["train-keypoints", "reach", *args]) == 0
    (detector,) = (tmp_path / "runs" / "reach" / "stages").glob("keypoints-*/transporter.pt")
    tags = events(detector.parent / "tensorboard")
    assert "train/reconstruction_mse" in tags["scalars"] and tags["images"]
    assert main(["run", "reach", "method=oracle", *args]) == 0
    tags = events(tmp_path / "runs" / "reach" / "oracle_seed0" / "policy" / "tensorboard")
    assert "eval/success_rate" in tags["scalars"]
