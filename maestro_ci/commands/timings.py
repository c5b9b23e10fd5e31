"""``maestro-ci timings collect|merge``: build the timing store from JUnit results."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.timings import Limits
    from maestro_ci.sources.junit import Report

DESCRIPTION = (
    "Fold JUnit XML results (any common producer, or pytest-split's .test_durations) into the "
    "timing store, or merge the stores written by parallel shards."
)
EPILOG = (
    "examples:\n"
    "  pytest --junitxml=junit.xml && maestro-ci timings collect junit.xml\n"
    "  maestro-ci timings merge shard-*/timings.json --store .maestro/timings.json\n"
)
HAS_RESULT = False
COMMIT_VARS = ("GITHUB_SHA", "CI_COMMIT_SHA", "CIRCLE_SHA1", "BUILDKITE_COMMIT")
RUN_VARS = ("MAESTRO_RUN_ID", "GITHUB_RUN_ID", "CI_PIPELINE_ID", "CIRCLE_WORKFLOW_ID", "BUILDKITE_BUILD_ID")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    collect = sub.add_parser("collect", help="read JUnit files into the store")
    collect.add_argument("files", nargs="+", metavar="JUNIT_FILE")
    collect.add_argument("--store", metavar="FILE", help="timing store (default: timings.store)")
    collect.add_argument(
        "--batch",
        metavar="ID",
        help="id of this run; collecting the same batch twice changes nothing "
        "(default: the CI run id and a digest of the files)",
    )
    collect.add_argument("--commit", metavar="SHA", help="commit tested (default: from CI, else git HEAD)")
    merge = sub.add_parser("merge", help="merge stores of parallel shards into --store")
    merge.add_argument("stores", nargs="+", metavar="STORE")
    merge.add_argument("--store", metavar="FILE", help="merged store (default: timings.store)")


def store_path(inv: Invocation, given: str | None) -> Path:
    """``--store`` is relative to the current folder; ``timings.store`` to the repository root."""
    if given:
        return Path(given) if Path(given).is_absolute() else inv.cwd / given
    path = Path(inv.settings.config.timings.store)
    return path if path.is_absolute() else inv.settings.base_dir / path


def limits(inv: Invocation) -> Limits:
    from maestro_ci.jobs.timings import Limits

    cfg = inv.settings.config.timings
    return Limits(window=cfg.window, drop_after=cfg.drop_after_runs, max_evidence=cfg.max_evidence)


def read_report(path: Path) -> Report:
    from maestro_ci.sources.junit import is_test_durations, read_junit, read_test_durations

    return read_test_durations(path) if is_test_durations(path) else read_junit(path)


def _commit(inv: Invocation, given: str | None) -> str:
    if given:
        return given
    for name in COMMIT_VARS:
        if inv.env.get(name):
            return inv.env[name]
    from maestro_ci.sources.git import run_git

    try:
        return run_git(["rev-parse", "HEAD"], inv.settings.base_dir, check=False).strip()
    except Exception:
        return ""


def _batch(inv: Invocation, given: str | None, paths: list[Path]) -> str:
    if given:
        return given
    from maestro_ci.sources.store import sha256_file, sha256_text

    digest = sha256_text("".join(sorted(sha256_file(p) for p in paths)))[:16]
    run = next((inv.env[v] for v in RUN_VARS if inv.env.get(v)), "")
    return f"{run}:{digest}" if run else digest


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.sources.timing_store import load_store, save_store

    target = store_path(inv, args.store)
    if args.action == "merge":
        from maestro_ci.jobs.timings import merge

        sources = [Path(s) if Path(s).is_absolute() else inv.cwd / s for s in args.stores]
        stores = [load_store(p, missing_ok=False) for p in sources]
        if target.exists() and target.resolve() not in {p.resolve() for p in sources}:
            stores.append(load_store(target))
        merged = merge(stores, limits(inv))
        save_store(target, merged)
        inv.write(
            f"merged {len(stores)} store(s) into {target}: {len(merged.tests)} tests, {merged.runs} runs\n"
        )
        return 0
    from maestro_ci.jobs.timings import ingest

    paths = [Path(f) if Path(f).is_absolute() else inv.cwd / f for f in args.files]
    reports = [read_report(p) for p in paths]  # every file is read before the store is touched
    store = load_store(target)
    batch = _batch(inv, args.batch, [p for p in paths if p.is_file()])
    new, added = ingest(store, reports, batch, _commit(inv, args.commit), limits(inv))
    for report in reports:
        for raw, kinds in sorted(report.volatile.items()):
            inv.info(
                f"warning: {report.path}: test id {raw!r} has a volatile parametrize id ({', '.join(kinds)}); "
                "stored under a stable placeholder — give the parameter a stable ids="
            )
    if not added:
        inv.write(f"batch {batch} is already in {target}; nothing changed\n")
        return 0
    save_store(target, new)
    cases = sum(len(r.cases) for r in reports)
    inv.write(
        f"collected {cases} test results from {len(reports)} file(s) as batch {batch} into {target}: "
        f"{len(new.tests)} tests, {new.runs} runs\n"
    )
    return 0
