"""Train from a script: the quickstart (reach from one human clip, with the shipped perception
models) as a Python call, with your own overrides.

    python examples/train_from_script.py                  # about 10 minutes on 2 CPU cores
    python examples/train_from_script.py policy.seed=1    # any config key=value
    python examples/train_from_script.py --budget tiny    # seconds: every stage runs

The run folder (RUN = runs/reach/from_script) holds config.yaml, policy/, eval/eval_info.json,
eval/videos/ and metrics.json; running the script again goes on with it (resume).
"""

from __future__ import annotations

import argparse

from budgets import TINY_POLICY

from lbw import load_config, run_pipeline, shipped_config


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    parser.add_argument("--budget", choices=("full", "tiny"), default="full")
    parser.add_argument("--root", default="runs", help="where runs go (default: runs)")
    args = parser.parse_args(argv)
    budget = TINY_POLICY if args.budget == "tiny" else []
    config = load_config(
        shipped_config("quickstart"), ["name=from_script", f"root={args.root}", *budget, *args.overrides]
    )
    metrics = run_pipeline(config, resume=(config.run_dir / "config.yaml").exists())
    print(f"{config.run_dir}: success rate {metrics['success_rate']:.2f} over {metrics['episodes']} episodes")
    return metrics


if __name__ == "__main__":
    main()
