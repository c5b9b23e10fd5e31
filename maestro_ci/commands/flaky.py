"""``maestro-ci flaky``: flake rates per test and overall, with the evidence."""

from __future__ import annotations

import argparse

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Flake rate per test and overall from the timing store: tests that failed then passed on a "
    "retry in one run, or had different outcomes on the same commit."
)
EPILOG = "example:\n  maestro-ci flaky --min-runs 5 --format markdown\n\nexit 1 only when timings.flaky_fail_rate is set and exceeded."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-runs", type=int, metavar="R", help="ignore tests with fewer runs")
    parser.add_argument(
        "--top", type=int, default=20, metavar="N", help="how many tests to list (default 20)"
    )
    parser.add_argument("--store", metavar="FILE", help="timing store (default: timings.store)")


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.commands.timings import store_path
    from maestro_ci.errors import UsageError
    from maestro_ci.jobs.flaky import flaky_result
    from maestro_ci.sources.timing_store import load_store

    cfg = inv.settings.config.timings
    min_runs = args.min_runs if args.min_runs is not None else cfg.flaky_min_runs
    if min_runs < 1 or args.top < 1:
        raise UsageError("--min-runs and --top must be at least 1", fix="e.g. --min-runs 3")
    path = store_path(inv, args.store)
    store = load_store(path)
    result = flaky_result(store, min_runs, cfg.flaky_fail_rate, args.top)
    if path.is_file():
        from maestro_ci.models import InputFile
        from maestro_ci.sources.store import sha256_file

        result = result.model_copy(update={"inputs": [InputFile(path=str(path), sha256=sha256_file(path))]})
    return inv.emit(result)
