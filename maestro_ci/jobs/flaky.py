"""The flaky job: flake rates per test and overall, from the timing store's evidence."""

from __future__ import annotations

from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.timing_model import TimingStore

TOP = 20


def flaky_result(
    store: TimingStore, min_runs: int = 3, fail_rate: float | None = None, top: int = TOP
) -> GateResult:
    """``flaky`` gate: warn on flaky tests; fail when the overall rate exceeds ``fail_rate``."""
    eligible = {k: t for k, t in store.tests.items() if t.runs >= min_runs}
    runs = sum(t.runs for t in eligible.values())
    flaky_runs = sum(t.flaky for t in eligible.values())
    overall = flaky_runs / runs if runs else 0.0
    rows = sorted(
        ((k, t) for k, t in eligible.items() if t.flaky),
        key=lambda kv: (-kv[1].flaky / kv[1].runs, -kv[1].flaky, kv[0]),
    )
    table = [
        {
            "test": nodeid,
            "rate": round(t.flaky / t.runs, 4),
            "flaky": t.flaky,
            "runs": t.runs,
            "passed": t.passed,
            "failed": t.failed,
            "evidence": [e.model_dump(mode="json") for e in t.evidence],
        }
        for nodeid, t in rows[:top]
    ]
    reasons = [
        Reason(
            code="flaky.test",
            message=f"{row['test']} is flaky: {row['flaky']} of {row['runs']} runs "
            f"({_evidence_text(row['evidence'])})",
            fix="fix the race or shared state, or quarantine it; a retry only hides it",
            severity=Status.WARN,
        )
        for row in table
    ]
    if fail_rate is not None and overall > fail_rate:
        reasons.insert(
            0,
            Reason(
                code="flaky.rate",
                message=f"overall flake rate {overall:.2%} is above the limit {fail_rate:.2%}",
                fix="fix the top flaky tests listed here",
            ),
        )
    return GateResult(
        gate="flaky",
        status=Status.worst([r.severity for r in reasons]),
        summary=f"{len(rows)} flaky test(s) among {len(eligible)} with at least {min_runs} runs; "
        f"overall flake rate {overall:.2%}",
        reasons=reasons,
        metrics={
            "tests": len(eligible),
            "flaky_tests": len(rows),
            "runs": runs,
            "flaky_runs": flaky_runs,
            "flake_rate": round(overall, 6),
        },
        details={"top": table, "min_runs": min_runs, "store_runs": store.runs},
    )


def _evidence_text(evidence: object) -> str:
    assert isinstance(evidence, list)
    kinds = sorted({str(e["kind"]) for e in evidence})
    return ", ".join(kinds) or "counted"
