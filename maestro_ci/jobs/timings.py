"""The timings job: fold JUnit reports into the timing store, and merge stores.

Pure: takes a store and parsed reports, returns a new store. One call of
:func:`ingest` is one *batch* (one CI run, possibly many JUnit files of its
shards); ingesting the same batch id twice changes nothing, so a retried upload
never double-counts. :func:`merge` combines the stores written by parallel
shards: for each test it starts from the record with most runs and adds the
samples of the others that it has not seen, so merging is order-independent.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from maestro_ci.errors import InputError
from maestro_ci.sources.junit import Case, Report
from maestro_ci.sources.nodeids import class_of, module_of
from maestro_ci.timing_model import (
    Evidence,
    GroupTiming,
    Sample,
    TestTiming,
    TimingStore,
    estimate,
)

MAX_BATCHES = 200
FAILING = ("failed", "error")


@dataclass(frozen=True)
class Limits:
    window: int = 10
    drop_after: int = 50
    max_evidence: int = 5


def _check_duplicates(report: Report) -> None:
    last: dict[str, str] = {}
    for case in report.cases:
        before = last.get(case.raw_id)
        if before is not None and before not in FAILING:
            raise InputError(
                f"duplicate test id {case.raw_id!r}: it {before} and then ran again in the same report",
                file=report.path,
                fix="a retry follows a failure; otherwise two suites were merged into one file — "
                "collect them as separate files",
            )
        last[case.raw_id] = case.outcome


def _group_setup(cases: list[Case]) -> tuple[dict[str, float], dict[int, float]]:
    """Setup cost visible in a report, per module/class, and what to deduct from each first test.

    With setup-phase times (the pytest plugin) the cost is how much the first test's setup
    exceeds the slowest setup of the others; from JUnit alone (one time per test) it is how
    much the first test's time exceeds the slowest of the others.
    """
    out: dict[str, float] = {}
    deduct: dict[int, float] = defaultdict(float)
    for key_of in (module_of, class_of):
        members: dict[str, list[int]] = defaultdict(list)
        for i, case in enumerate(cases):
            key = key_of(case.nodeid)
            if key is not None and case.time is not None and case.outcome != "skipped":
                members[key].append(i)
        for key, group in members.items():
            phase = all(cases[i].setup is not None for i in group)
            if len(group) < (2 if phase else 3):
                continue
            values = [(cases[i].setup if phase else cases[i].time) or 0.0 for i in group]
            first = values[0] - deduct[group[0]]
            cost = round(max(0.0, first - max(values[1:])), 6)
            out[key] = cost
            deduct[group[0]] += cost
    return out, dict(deduct)


def ingest(
    store: TimingStore, reports: Sequence[Report], batch: str, commit: str = "", limits: Limits = Limits()
) -> tuple[TimingStore, bool]:
    """Fold one batch of reports into the store; ``(store, False)`` when the batch was already in."""
    if batch in store.batches:
        return store, False
    run_no = store.runs + 1
    outcomes: dict[str, list[Case]] = defaultdict(list)
    setup: dict[str, list[float]] = defaultdict(list)
    collect: dict[str, list[float]] = defaultdict(list)
    for report in reports:
        _check_duplicates(report)
        costs, deduct = _group_setup(report.cases)
        for key, cost in costs.items():
            setup[key].append(cost)
        for key, seconds in report.collect.items():
            collect[key].append(round(seconds, 6))
        for i, case in enumerate(report.cases):
            if deduct.get(i) and case.time is not None:
                case = replace(case, time=round(max(0.0, case.time - deduct[i]), 6))
            outcomes[case.nodeid].append(case)
    tests = dict(store.tests)
    for nodeid in sorted(outcomes):
        tests[nodeid] = _update(
            tests.get(nodeid, TestTiming()), outcomes[nodeid], batch, commit, run_no, limits
        )
    groups = dict(store.groups)
    for key in sorted(setup.keys() | collect.keys()):
        old = groups.get(key, GroupTiming())
        samples = [*old.samples, *setup.get(key, [])][-limits.window :]
        collected = [*old.collect_samples, *collect.get(key, [])][-limits.window :]
        groups[key] = GroupTiming(
            setup=_median(samples),
            samples=samples,
            collect=_median(collected),
            collect_samples=collected,
            last_seen=run_no,
        )
    overhead = [*store.overhead, *(round(o, 6) for r in reports for o in r.overhead)][-limits.window :]
    new = TimingStore(
        runs=run_no,
        batches=[*store.batches, batch][-MAX_BATCHES:],
        overhead=overhead,
        tests=tests,
        groups=groups,
    )
    return prune(new, limits), True


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 6) if samples else 0.0


def _update(
    old: TestTiming, cases: list[Case], batch: str, commit: str, run_no: int, limits: Limits
) -> TestTiming:
    counts = {"passed": old.passed, "failed": old.failed, "skipped": old.skipped}
    for case in cases:
        counts["failed" if case.outcome in FAILING else case.outcome] += 1
    seen = [c.outcome for c in cases]
    evidence = list(old.evidence)
    retried = any(c.retries for c in cases) or (any(o in FAILING for o in seen[:-1]) and seen[-1] == "passed")
    if retried:
        evidence.append(Evidence(kind="retry", batch=batch, commit=commit, outcomes=_retry_trail(cases)))
    commit_outcomes = sorted(
        set(seen) | (set(old.commit_outcomes) if commit and commit == old.last_commit else set())
    )
    mixed = "passed" in commit_outcomes and bool(set(FAILING) & set(commit_outcomes))
    was_mixed = (
        commit == old.last_commit
        and "passed" in old.commit_outcomes
        and bool(set(FAILING) & set(old.commit_outcomes))
    )
    if commit and mixed and not was_mixed and not retried:
        evidence.append(Evidence(kind="same-commit", batch=batch, commit=commit, outcomes=commit_outcomes))
    flaky = old.flaky + (len(evidence) - len(old.evidence))
    samples = [*old.samples, *(Sample(batch=batch, outcome=c.outcome, time=c.time) for c in cases)]
    samples = samples[-limits.window :]
    duration, spread = estimate(samples)
    return TestTiming(
        runs=old.runs + len(cases),
        passed=counts["passed"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        flaky=flaky,
        duration=duration,
        spread=spread,
        samples=samples,
        evidence=evidence[-limits.max_evidence :],
        last_seen=run_no,
        last_commit=commit,
        commit_outcomes=commit_outcomes if commit else [],
    )


def _retry_trail(cases: list[Case]) -> list[str]:
    trail: list[str] = []
    for case in cases:
        trail += [r.removeprefix("flaky").removeprefix("rerun").lower() for r in case.retries]
        trail.append(case.outcome)
    return trail


def prune(store: TimingStore, limits: Limits) -> TimingStore:
    """Drop tests and groups not seen in the last ``drop_after`` runs."""
    floor = store.runs - limits.drop_after
    tests = {k: v for k, v in store.tests.items() if v.last_seen > floor}
    groups = {k: v for k, v in store.groups.items() if v.last_seen > floor}
    if len(tests) == len(store.tests) and len(groups) == len(store.groups):
        return store
    return store.model_copy(update={"tests": tests, "groups": groups})


def merge(stores: Sequence[TimingStore], limits: Limits = Limits()) -> TimingStore:
    """Merge stores written in parallel (same base, different shards); the result is order-independent."""
    if not stores:
        return TimingStore()
    ordered = sorted(stores, key=lambda s: (-s.runs, s.model_dump_json()))
    base = ordered[0]
    batches = list(base.batches)
    for other in ordered[1:]:
        batches += [b for b in other.batches if b not in batches]
    runs = base.runs + sum(1 for b in batches if b not in base.batches)
    order = {b: i for i, b in enumerate(batches)}
    tests: dict[str, TestTiming] = {}
    for nodeid in sorted({k for s in stores for k in s.tests}):
        records = sorted(
            (s.tests[nodeid] for s in stores if nodeid in s.tests),
            key=lambda t: (-t.runs, t.model_dump_json()),
        )
        tests[nodeid] = _merge_test(records, order, limits)
    groups: dict[str, GroupTiming] = {}
    for key in sorted({k for s in stores for k in s.groups}):
        best = sorted(
            (s.groups[key] for s in stores if key in s.groups),
            key=lambda g: (-g.last_seen, g.model_dump_json()),
        )
        groups[key] = best[0]
    overhead = sorted({o for s in stores for o in s.overhead})
    return prune(
        TimingStore(
            runs=runs,
            batches=batches[-MAX_BATCHES:],
            overhead=overhead[-limits.window :],
            tests=tests,
            groups=groups,
        ),
        limits,
    )


def _merge_test(records: list[TestTiming], order: dict[str, int], limits: Limits) -> TestTiming:
    base = records[0]
    counts = {"runs": base.runs, "passed": base.passed, "failed": base.failed, "skipped": base.skipped}
    known = {s.batch for s in base.samples}
    full = len(base.samples) >= limits.window
    oldest = min((order.get(b, 0) for b in known), default=-1)
    evidence = list(base.evidence)
    extra: list[Sample] = []
    for other in records[1:]:
        for sample in other.samples:
            if sample.batch in known or (full and order.get(sample.batch, 0) <= oldest):
                continue  # already counted, or older than the base's window
            extra.append(sample)
            known.add(sample.batch)
            counts["runs"] += 1
            counts["failed" if sample.outcome in FAILING else sample.outcome] += 1
        evidence += [e for e in other.evidence if e not in evidence]
    extra.sort(key=lambda s: (order.get(s.batch, 0), s.batch))
    samples = sorted([*base.samples, *extra], key=lambda s: order.get(s.batch, 0))[-limits.window :]
    duration, spread = estimate(samples)
    last = max(records, key=lambda t: (t.last_seen, t.model_dump_json()))
    return base.model_copy(
        update={
            **counts,
            "flaky": base.flaky + len(evidence) - len(base.evidence),
            "duration": duration,
            "spread": spread,
            "samples": samples,
            "evidence": evidence[-limits.max_evidence :],
            "last_seen": last.last_seen,
            "last_commit": last.last_commit,
            "commit_outcomes": last.commit_outcomes,
        }
    )
