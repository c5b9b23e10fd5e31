"""``maestro-ci risk``: score a change's risk, and ``risk train`` a model on the history."""

from __future__ import annotations

import argparse

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Score the risk of a change in [0, 1] from signals (size, churn, owners, import-graph "
    "centrality, coverage, complexity, static alerts, test fail rate), show each signal's "
    "contribution and the top reasons, and require a reviewer at or above the threshold. "
    "'risk train' fits a model on the repository's own history; --model scores with it."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci risk --base origin/main --coverage-base base.json --coverage-head coverage.json "
    "--sarif ruff.sarif\n"
    "  maestro-ci risk train --since 2023-01-01 --out .maestro/risk-model.json\n"
    "  maestro-ci risk --base origin/main --model .maestro/risk-model.json"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REF", help="compare against REF (default: see docs/risk.md)")
    parser.add_argument("--head", metavar="REF", help="the change's head (default: HEAD)")
    parser.add_argument("--coverage-base", metavar="FILE", help="coverage of base (.coverage, JSON or XML)")
    parser.add_argument("--coverage-head", metavar="FILE", help="coverage of head (.coverage, JSON or XML)")
    parser.add_argument("--sarif", nargs="+", default=[], metavar="FILE", help="SARIF 2.1.0 files")
    parser.add_argument(
        "--ruff-json", nargs="+", default=[], metavar="FILE", help="'ruff check --output-format json' files"
    )
    parser.add_argument("--model", metavar="FILE", help="score with a model from 'risk train'")
    parser.add_argument("--timings", metavar="FILE", help="timing store (default: .maestro/timings.json)")
    parser.add_argument("--enforce", action="store_true", default=None, help="fail instead of warn")
    parser.add_argument("--threshold", type=float, metavar="X", help="override the threshold in [0, 1]")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    train = sub.add_parser("train", help="mine the history and fit a calibrated model")
    train.add_argument("--since", metavar="DATE", help="mine commits since DATE (default: all)")
    train.add_argument("--head", dest="train_head", metavar="REF", default="HEAD", help="mine from REF")
    train.add_argument(
        "--out", metavar="FILE", default=".maestro/risk-model.json", help="where to write the model"
    )
    train.add_argument(
        "--flag-share",
        type=float,
        default=0.2,
        metavar="X",
        help="the threshold flags the riskiest X of history (default: 0.2)",
    )
    train.add_argument("--progress", action="store_true", help="show progress even when stderr is no TTY")


def run(args: argparse.Namespace, inv: Invocation) -> int:
    if getattr(args, "action", None) == "train":
        from maestro_ci.commands.risk_train import run_train

        return run_train(args, inv)
    from maestro_ci.commands.risk_gather import run_score

    return run_score(args, inv)
