"""Each risk signal from the data its source gave: pure functions, one per signal.

A function returns a :class:`~maestro_ci.jobs.risk.Signal` with the raw value
and what it means in plain words, or with ``raw=None`` and why it could not be
measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from maestro_ci.jobs.risk import Signal
from maestro_ci.models import ChangeSet

if TYPE_CHECKING:
    from maestro_ci.sources.alerts import Alert
    from maestro_ci.sources.codeowners import CodeOwners
    from maestro_ci.sources.coverage_data import CoverageReport
    from maestro_ci.sources.importgraph import ImportGraph


def _files(n: int) -> str:
    return "file" if n == 1 else "files"


def lines_changed(change: ChangeSet) -> Signal:
    n = change.lines_changed
    return Signal("lines_changed", n, f"changes {n} lines", fix="split the change into smaller ones")


def files_touched(change: ChangeSet) -> Signal:
    n = len(change.files)
    return Signal("files_touched", n, f"touches {n} {_files(n)}", fix="split the change into smaller ones")


def churn(per_file: Mapping[str, int] | None, days: int, why: str = "") -> Signal:
    if per_file is None:
        return Signal("churn_30d", None, missing=why or "no history")
    total = sum(per_file.values())
    hot = max(per_file.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
    words = f"the touched files changed by {total} lines in the last {days} days"
    if hot[1]:
        words += f" (most in {hot[0]})"
    return Signal("churn_30d", total, words, fix="let the area settle, or ask its recent authors to review")


def owners_touched(owners: CodeOwners | None, paths: list[str]) -> Signal:
    if owners is None:
        return Signal("owners_touched", None, missing="no CODEOWNERS file")
    teams: set[str] = set()
    owned = 0
    for path in paths:
        found = owners.owners_of(path)
        owned += bool(found)
        teams.update(found)
    words = f"touches {owned} {_files(owned)} owned by {len(teams)} owner{'s' if len(teams) != 1 else ''}" + (
        f" ({', '.join(sorted(teams)[:4])}{'…' if len(teams) > 4 else ''})" if teams else ""
    )
    return Signal(
        "owners_touched", len(teams), words, fix="split the change by owner, or get each owner's review"
    )


def centrality(graph: ImportGraph | None, paths: list[str]) -> Signal:
    """Share of the repository's modules that import a touched module, directly or not."""
    if graph is None or not graph.modules:
        return Signal("centrality", None, missing="no Python modules in the import graph")
    touched = {m for p in paths if (m := graph.module_of(p))}
    if not touched:
        return Signal("centrality", 0.0, "touches no Python module")
    importers = graph.importers_of(touched) - touched
    share = len(importers) / len(graph.modules)
    words = f"{len(importers)} of {len(graph.modules)} modules ({share:.0%}) depend on the touched modules"
    return Signal("centrality", round(share, 4), words, fix="add tests for the modules that depend on it")


def coverage(
    base: CoverageReport | None,
    head: CoverageReport | None,
    changed: Mapping[str, set[int]],
) -> tuple[Signal, dict[str, float | None]]:
    """Drop of total coverage from base to head; also the coverage of the changed lines."""
    if base is None or head is None:
        return Signal("coverage_drop", None, missing="no --coverage-base/--coverage-head given"), {}
    before, after = base.percent, head.percent
    hit = total = 0
    for path, lines in changed.items():
        entry = head.files.get(path)
        if entry is None:
            continue
        relevant = lines & entry.statements
        total += len(relevant)
        hit += len(relevant & entry.executed)
    diff_cov = hit / total if total else None
    facts: dict[str, float | None] = {
        "coverage_base": before,
        "coverage_head": after,
        "diff_coverage": diff_cov,
    }
    if before is None or after is None:
        return Signal("coverage_drop", None, missing="the coverage files measure no statements"), facts
    total_drop = max(0.0, before - after)
    # changed lines covered less than the code base was: the drop a large total hides
    diff_drop = max(0.0, before - diff_cov) if diff_cov is not None else 0.0
    drop = max(total_drop, diff_drop)
    if diff_drop > total_drop:
        words = f"covers {diff_cov:.0%} of the changed lines (total coverage of base: {before:.1%})"
    elif total_drop > 0:
        words = f"lowers total coverage from {before:.1%} to {after:.1%}"
    else:
        words = f"keeps total coverage at {after:.1%}"
        if diff_cov is not None:
            words += f"; covers {diff_cov:.0%} of the changed lines"
    return Signal("coverage_drop", round(drop, 4), words, fix="add tests that run the changed lines"), facts


def complexity(delta: tuple[float, int, int] | None, python_changed: bool) -> Signal:
    if not python_changed:
        return Signal("complexity_delta", None, missing="no Python file changed")
    if delta is None:
        return Signal("complexity_delta", None, missing="no function changed")
    value, before, after = delta
    verb = "raises" if after > before else "lowers" if after < before else "keeps"
    words = f"{verb} the cyclomatic complexity of the changed functions from {before} to {after}"
    return Signal("complexity_delta", round(value, 4), words, fix="split complex functions")


def static_alerts(alerts: list[Alert] | None, changed: Mapping[str, set[int]]) -> Signal:
    if alerts is None:
        return Signal("static_alerts", None, missing="no --sarif or --ruff-json file given")
    hits = [a for a in alerts if a.path in changed and (a.line is None or a.line in changed[a.path])]
    rules = sorted({a.rule for a in hits if a.rule})
    words = f"{len(hits)} static-analysis findings on changed lines" + (
        f" ({', '.join(rules[:3])}{'…' if len(rules) > 3 else ''})" if rules else ""
    )
    return Signal("static_alerts", len(hits), words, fix="fix the findings on the changed lines")


def test_fail_rate(
    counts: Mapping[str, tuple[int, int]] | None,
    graph: ImportGraph | None,
    paths: list[str],
    why: str = "",
) -> Signal:
    """Past failure rate of the tests whose files are touched or import a touched module."""
    if counts is None:
        return Signal("test_fail_rate", None, missing=why or "no timing store (.maestro/timings.json)")
    files = set(paths)
    if graph is not None:
        touched = {m for p in paths if (m := graph.module_of(p))}
        files |= {graph.modules[m] for m in graph.importers_of(touched) | touched if m in graph.modules}
    runs = failed = 0
    tests = 0
    for nodeid, (r, f) in counts.items():
        if nodeid.split("::", 1)[0] in files:
            tests += 1
            runs += r
            failed += f
    if runs == 0:
        return Signal("test_fail_rate", None, missing="no recorded test covers the touched files")
    rate = failed / runs
    words = f"the {tests} tests that cover the change failed in {rate:.0%} of their recorded runs"
    return Signal("test_fail_rate", round(rate, 4), words, fix="stabilise or fix those tests first")
