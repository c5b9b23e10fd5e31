"""``maestro-ci shard``: plan N balanced shards from the timing store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.shard import Plan
    from maestro_ci.models import GateResult

DESCRIPTION = (
    "Split the test suite into N shards that finish together, using the timing store's durations, "
    "the per-shard fixed cost and the setup cost of fixture groups."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci shard --shards 4 --collect\n"
    "  pytest $(maestro-ci shard --shards 4 --index 2 --collect --format pytest-args --no-record)\n"
    "  maestro-ci shard --max-minutes 5 --collect --format github-matrix\n\n"
    "Index and total default to CI_NODE_INDEX/CI_NODE_TOTAL (GitLab), CIRCLE_NODE_INDEX/"
    "CIRCLE_NODE_TOTAL (CircleCI) or BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT (Buildkite)."
)
FORMATS = ("lines", "pytest-args", "github-matrix")
# (index variable, total variable, index base)
CI_VARS = (
    ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1),
    ("CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0),
    ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shards", "-n", type=int, metavar="N", help="number of shards")
    parser.add_argument("--index", "-k", type=int, metavar="K", help="the shard to print (1-based)")
    parser.add_argument("--by", choices=("file", "class", "test"), help="planning unit (default: shard.by)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tests", metavar="FILE", help="node ids to plan, one per line")
    source.add_argument("--collect", action="store_true", help="collect the tests with pytest --collect-only")
    parser.add_argument("--store", metavar="FILE", help="timing store (default: timings.store)")
    parser.add_argument("--max-minutes", type=float, metavar="T", help="pick the smallest N that fits T")
    parser.add_argument("--fixed-cost", type=float, metavar="SECONDS", help="per-shard fixed cost")
    parser.add_argument("--plan", metavar="FILE", help="reuse a plan written with --format json")
    parser.add_argument(
        "--actual",
        nargs="+",
        metavar="JUNIT",
        help="JUnit file of each shard, in shard order: realised times",
    )


def ci_index_total(env: dict[str, str]) -> tuple[int | None, int | None, str]:
    from maestro_ci.errors import UsageError

    for index_var, total_var, base in CI_VARS:
        if env.get(total_var):
            try:
                total = int(env[total_var])
                index = int(env[index_var]) + (1 - base) if env.get(index_var) else None
            except ValueError:
                raise UsageError(
                    f"{index_var}/{total_var} are not integers", fix="unset them or pass --index/--shards"
                ) from None
            return index, total, total_var
    return None, None, ""


def _tests(args: argparse.Namespace, inv: Invocation, stored: list[str]) -> list[str]:
    from maestro_ci.errors import InputError

    if args.tests:
        from maestro_ci.sources.pytest_collect import read_test_list

        return read_test_list(Path(args.tests) if Path(args.tests).is_absolute() else inv.cwd / args.tests)
    if args.collect:
        from maestro_ci.sources.pytest_collect import collect_node_ids

        return collect_node_ids(inv.settings.base_dir)
    if not stored:
        raise InputError(
            "nothing to plan: the timing store knows no tests",
            fix="pass --collect or --tests FILE, or run 'maestro-ci timings collect' first",
        )
    return stored


def make_plan(args: argparse.Namespace, inv: Invocation, total: int | None) -> tuple[Plan, list[Path], bool]:
    from maestro_ci.commands.timings import store_path
    from maestro_ci.errors import UsageError
    from maestro_ci.jobs.shard import plan, smallest_fitting
    from maestro_ci.sources.timing_store import load_store

    cfg = inv.settings.config.shard
    path = store_path(inv, args.store)
    store = load_store(path)
    tests = _tests(args, inv, sorted(store.tests))
    by = args.by or cfg.by
    fixed = args.fixed_cost if args.fixed_cost is not None else cfg.fixed_cost_seconds
    inputs = [path] if path.is_file() else []
    if args.max_minutes is not None:
        if args.max_minutes <= 0:
            raise UsageError("--max-minutes must be positive", fix="e.g. --max-minutes 10")
        found, fits = smallest_fitting(
            tests, store, args.max_minutes * 60, cfg.max_shards, by, cfg.default_test_seconds, fixed
        )
        return found, inputs, fits
    if total is None:
        raise UsageError("how many shards?", fix="pass --shards N (or --max-minutes T)")
    return plan(tests, store, total, by, cfg.default_test_seconds, fixed), inputs, True


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.errors import UsageError

    env_index, env_total, origin = ci_index_total(inv.env)
    total = args.shards if args.shards is not None else env_total
    index = args.index if args.index is not None else (env_index if args.shards is None else None)
    if total is not None and total < 1:
        raise UsageError(
            f"the number of shards must be at least 1, got {total}", fix="pass --shards N with N >= 1"
        )
    if origin and args.shards is None:
        inv.info(f"shards {index}/{total} from {origin}")
    if args.plan:
        path = Path(args.plan) if Path(args.plan).is_absolute() else inv.cwd / args.plan
        planned, inputs, fits = load_plan(path), [path], True
    else:
        planned, inputs, fits = make_plan(args, inv, total)
    if index is not None and not 1 <= index <= planned.total:
        raise UsageError(
            f"shard index {index} is outside 1..{planned.total}",
            fix=f"pass --index K with 1 <= K <= {planned.total}",
        )
    from maestro_ci.jobs.shard_gate import shard_result, with_realised
    from maestro_ci.models import InputFile
    from maestro_ci.render.shard_formats import renderers
    from maestro_ci.sources.store import sha256_file

    if args.actual:
        planned = with_realised(planned, realised_times(args.actual, inv))
        inputs += [inv.cwd / a for a in args.actual]
    result: GateResult = shard_result(
        planned,
        index,
        fits,
        args.max_minutes,
        inv.settings.config.shard.skew_warn,
        [InputFile(path=str(p), sha256=sha256_file(p)) for p in inputs],
    )
    return inv.emit(result, renderers(index))


def load_plan(path: Path) -> Plan:
    """A plan from ``maestro-ci shard --format json`` output (or a bare plan document)."""
    from pydantic import ValidationError

    from maestro_ci.errors import InputError
    from maestro_ci.jobs.shard import Plan
    from maestro_ci.sources.plan_file import FIX, check_plan, unwrap
    from maestro_ci.sources.store import read_json

    data = unwrap(read_json(path, "shard plan"))
    check_plan(data, path)
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            f"not a shard plan: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
            file=str(path),
            fix=FIX,
        ) from exc


def realised_times(files: list[str], inv: Invocation) -> list[float | None]:
    """Wall time of each shard from its JUnit file (the suite time), in shard order."""
    from maestro_ci.sources.junit import read_junit

    out: list[float | None] = []
    for name in files:
        report = read_junit(Path(name) if Path(name).is_absolute() else inv.cwd / name)
        timed = [c.time for c in report.cases if c.time is not None]
        out.append(
            round(report.wall, 3) if report.wall is not None else (round(sum(timed), 3) if timed else None)
        )
    return out
