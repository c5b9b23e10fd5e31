"""The health gate's result: the verdict, one reason per metric that did not pass, every measurement.

promote → ``pass`` (exit 0); hold → ``fail`` (exit 1); rollback → ``fail`` (exit 1),
or ``error`` (exit 3) when every metric behind the rollback errored because its source
was unreachable: no verdict could be reached, and the gate blocks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from maestro_ci.jobs.health_model import GateSpec
from maestro_ci.models import GateResult, Location, Reason, Status

if TYPE_CHECKING:
    from maestro_ci.jobs.health import MetricRun

FIX = {
    "failed": "the canary is worse than allowed: roll back, then look at the measurements below",
    "error": "check that the source answers (URL, credentials, query), then run the gate again",
    "inconclusive": "the metric had no usable data: check the query and that the canary gets traffic",
}


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become the strings Prometheus uses."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def verdict_of(runs: list[MetricRun], include_dry_run: bool = False) -> str:
    phases = {r.phase for r in runs if include_dry_run or not r.plan.dry_run}
    if phases & {"failed", "error"}:
        return "rollback"
    if "inconclusive" in phases:
        return "hold"
    return "promote"


def build_result(
    spec: GateSpec, runs: list[MetricRun], elapsed: float, stopped: str, gate_file: str | None
) -> GateResult:
    verdict = verdict_of(runs)
    blocking = [r for r in runs if not r.plan.dry_run and r.phase in ("failed", "error", "inconclusive")]
    if verdict == "promote":
        status = Status.PASS
    elif (
        verdict == "rollback"
        and all(r.unreachable for r in blocking if r.phase in ("failed", "error"))
        and not any(r.phase == "failed" for r in blocking)
    ):
        status = Status.ERROR
    else:
        status = Status.FAIL
    reasons = []
    for run in runs:
        if run.phase in ("successful", "stopped"):
            continue
        last = next((m for m in reversed(run.measurements) if m.get("message")), {})
        cause = f": {last['message']}" if last.get("message") else ""
        code = "health.unreachable" if run.phase == "error" and run.unreachable else f"health.{run.phase}"
        label = "lacked data" if run.phase == "inconclusive" else run.phase
        reasons.append(
            Reason(
                code=code,
                message=f"metric '{run.metric.name}' {label} ({run.why}){cause}"
                + (" [dry run: not blocking]" if run.plan.dry_run else ""),
                fix=FIX[run.phase],
                location=Location(file=gate_file) if gate_file else None,
                severity=Status.WARN if run.plan.dry_run else Status.FAIL,
            )
        )
    if status is Status.PASS and reasons:
        status = Status.WARN
    passed = sum(1 for r in runs if r.phase == "successful")
    taken = sum(len(r.measurements) for r in runs)
    would_be = verdict_of(runs, include_dry_run=True)
    dry = f" (dry run: without it, {would_be})" if would_be != verdict else ""
    summary = f"{verdict}{dry}: {passed} of {len(runs)} metric(s) successful, {taken} measurement(s)"
    if blocking:
        summary += " — " + ", ".join(f"{r.metric.name} {r.phase}" for r in blocking)
    metrics: dict[str, float | int | str | bool | None] = {
        "verdict": verdict,
        "metrics": len(runs),
        "successful": passed,
        "measurements": taken,
        "elapsed_s": round(elapsed, 3),
    }
    details = {
        "verdict": verdict,
        "verdict_without_dry_run": would_be,
        "gate": spec.name,
        "stopped": stopped,
        "metrics": [
            {
                "name": r.metric.name,
                "kind": "compare"
                if r.metric.compare
                else ("burn_rate" if r.metric.burn_rate else "threshold"),
                "source": r.metric.source.type,
                "unit": r.metric.unit,
                "phase": r.phase,
                "why": r.why,
                "dry_run": r.plan.dry_run,
                "success": r.metric.success,
                "failure": r.metric.failure,
                "counts": dict(r.counts),
                "plan": {
                    "interval_s": r.plan.interval,
                    "count": r.plan.count,
                    "initial_delay_s": r.plan.initial_delay,
                    "failure_limit": r.plan.failure_limit,
                    "inconclusive_limit": r.plan.inconclusive_limit,
                    "consecutive_error_limit": r.plan.consecutive_error_limit,
                    "consecutive_success_limit": r.plan.consecutive_success_limit,
                },
                "measurements": r.measurements,
            }
            for r in runs
        ],
    }
    return GateResult(
        gate="health",
        status=status,
        summary=summary,
        reasons=reasons,
        metrics=metrics,
        details=clean(details),
    )
