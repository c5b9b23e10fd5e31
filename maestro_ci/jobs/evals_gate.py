"""The ``evals`` gate result from an eval report: status, reasons, metrics."""

from __future__ import annotations

from maestro_ci.jobs.evals_results import EvalReport, ScenarioResult
from maestro_ci.models import GateResult, Location, Reason, Status


def failing_checks(s: ScenarioResult) -> str:
    bad = [f"{c.name}: {c.message}" for c in s.checks if c.status != "pass"]
    return "; ".join(bad) if bad else "score below threshold"


def _scenario_reason(s: ScenarioResult) -> Reason | None:
    loc = Location(file=s.file)
    if s.status == "error":
        return Reason(
            code="evals.scenario-error",
            message=f"{s.id}: no verdict (fails closed): {failing_checks(s)}",
            fix="fix the check that errored; a scenario error never passes",
            location=loc,
            severity=Status.ERROR,
        )
    if s.status == "pass" or s.holdout:  # holdout scenarios are shown apart; they do not gate
        return None
    rate = f", passed {s.runs_passed}/{s.runs} runs (needs {s.required_pass_rate:.0%})" if s.runs > 1 else ""
    return Reason(
        code="evals.required-failed" if s.required else "evals.scenario-failed",
        message=f"{s.id}{' (required)' if s.required else ''}: "
        f"score {s.score:.3f} < threshold {s.threshold:.3f}{rate} — {failing_checks(s)}",
        fix="make the failing checks pass, or fix the scenario",
        location=loc,
        severity=Status.FAIL if s.required else Status.WARN,
    )


def to_gate_result(report: EvalReport) -> GateResult:
    reasons: list[Reason] = []
    scenarios = report.scenarios
    main = [s for s in scenarios if not s.holdout]
    if not scenarios:
        reasons.append(
            Reason(
                code="evals.no-scenarios",
                message="no eval scenario was run",
                fix="add scenario files under evals/ (or check --scenario/--tag)",
                severity=Status.FAIL,
            )
        )
    elif not main:
        reasons.append(
            Reason(
                code="evals.only-holdout",
                message="every scenario run is a holdout: there is no suite score",
                fix="add non-holdout scenarios",
                severity=Status.FAIL,
            )
        )
    for s in scenarios:
        if (reason := _scenario_reason(s)) is not None:
            reasons.append(reason)
    suite = report.suite_score
    if suite is not None and suite < report.threshold:
        reasons.append(
            Reason(
                code="evals.suite-below-threshold",
                message=f"suite score {suite:.3f} < threshold {report.threshold:.3f}",
                fix="raise the failing scenarios' scores (see the table)",
            )
        )
    for r in report.regressions:
        reasons.append(
            Reason(
                code="evals.regression",
                message=f"{r.id}: score dropped from {r.baseline:.3f} to {r.score:.3f} "
                f"(Δ {r.delta:.3f} > allowed {report.allowed_regression:.3f})",
                fix="find what made the scenario worse than on the baseline",
            )
        )
    for s in main:
        if s.robustness_delta is not None and s.robustness_delta > report.robustness_bound:
            worst = min(s.variants, key=lambda v: v.score)
            reasons.append(
                Reason(
                    code="evals.robustness",
                    message=f"{s.id}: variant '{worst.name}' scores {worst.score:.3f} vs {s.score:.3f} "
                    f"(Δ {s.robustness_delta:.3f} > bound {report.robustness_bound:.3f})",
                    fix="make the change hold under the perturbed inputs",
                    location=Location(file=s.file),
                )
            )
    status = Status.worst([r.severity for r in reasons])
    passed = sum(1 for s in main if s.status == "pass")
    summary = f"{passed}/{len(main)} scenarios pass"
    if suite is not None:
        summary = f"suite score {suite:.3f} (threshold {report.threshold:.3f}), " + summary
    if report.holdout_score is not None:
        summary += f"; holdout {report.holdout_score:.3f}"
    metrics: dict[str, float | int | str | bool | None] = {
        "suite_score": suite,
        "scenarios": len(main),
        "passed": passed,
        "failed": sum(1 for s in main if s.status == "fail"),
        "errors": sum(1 for s in scenarios if s.status == "error"),
        "holdout_scenarios": len(scenarios) - len(main),
        "holdout_score": report.holdout_score,
        "generalisation_gap": report.generalisation_gap,
        "robustness_delta": max((s.robustness_delta or 0.0 for s in main), default=0.0),
        "regressions": len(report.regressions),
    }
    return GateResult(
        gate="evals",
        status=status,
        summary=summary,
        score=suite,
        threshold=report.threshold,
        reasons=reasons,
        metrics=metrics,
        details={"report": report.model_dump(mode="json")},
    )
