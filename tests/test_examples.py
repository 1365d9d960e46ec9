"""The examples/ scripts on tiny budgets, and a task of one's own through `lbw run`."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

from lbw import envs, record_demo
from lbw.cli import main as lbw
from lbw.config import import_modules
from tests.test_pipeline import tiny

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> ModuleType:
    """An example loaded as a config's ``imports`` loads a file (so both share one module)."""
    (module,) = import_modules([str(EXAMPLES / f"{name}.py")])
    return module


def test_train_from_a_script_then_evaluate_the_saved_policy(tmp_path: Path) -> None:
    metrics = example("train_from_script").main(["--budget", "tiny", "--root", str(tmp_path)])
    run_dir = tmp_path / "reach" / "from_script"
    assert metrics["env_steps"] == 120 and (run_dir / "eval" / "eval_info.json").is_file()
    info = example("evaluate_saved_policy").main([str(run_dir), "--episodes", "2"])
    assert info["aggregated"]["episodes"] == 2 and len(info["per_episode"]) == 2


def test_learn_from_your_own_clip(tmp_path: Path) -> None:
    clip = record_demo("reach", seed=3, appearance="dark_skin_green_sleeve").save(tmp_path / "clips")["human"]
    metrics = example("your_own_clip").main([str(clip), "--budget", "tiny", "--root", str(tmp_path)])
    assert metrics["episodes"] == 2 and (tmp_path / "reach" / "own_clip_preview.mp4").is_file()


def test_your_own_agent_in_the_lbw_env() -> None:
    assert 0.0 <= example("own_sb3_agent").main(["--steps", "200", "--episodes", "1"]) <= 1.0


def test_a_task_of_your_own_through_lbw_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The example task, registered by a config's ``imports``: its env passes gymnasium's checks,
    the example's script learns it, and `lbw run` / `lbw evaluate` run on it."""
    custom = example("custom_task")
    assert "tap" in envs.registered_tasks() and envs.TASK_IDS["tap"] == "lbw/Tap-v0"
    env = gym.make("lbw/Tap-v0", obs_mode="pixels", image_size=32)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()
    with pytest.raises(ValueError, match="already registered"):
        envs.register_task("tap", envs.task_class("reach"))

    assert custom.main(["--budget", "tiny", "--root", str(tmp_path)])["task"] == "tap"
    # The same task from a config file that imports the example, paths relative to the config.
    config = tmp_path / "configs" / "tap.yaml"
    config.parent.mkdir()
    imports = os.path.relpath(EXAMPLES / "custom_task.py", config.parent)
    config.write_text(f"imports: [{imports}]\ntask: tap\ndemo: ../tap/clips/tap_human.mp4\nname: from_cli\n")
    overrides = [o for o in tiny(tmp_path) if not o.startswith(("task=", "root="))]
    assert lbw(["run", str(config), f"root={tmp_path}", *overrides, "--quiet"]) == 0
    run_dir = tmp_path / "tap" / "from_cli"
    assert lbw(["evaluate", str(run_dir), "--episodes", "1", "--record", "0", "--quiet"]) == 0
    # Without the import the task is unknown, and the error names the known ones.
    config.write_text("task: tap_dance\n")
    assert lbw(["run", str(config)]) == 1
    assert "unknown task 'tap_dance'; choose from reach, push" in capsys.readouterr().err
