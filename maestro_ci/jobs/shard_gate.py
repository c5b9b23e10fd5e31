"""The ``shard`` gate result: the plan, its balance, and realised times when known."""

from __future__ import annotations

from collections.abc import Sequence

from maestro_ci.jobs.shard import Plan
from maestro_ci.models import GateResult, InputFile, Reason, Status


def with_realised(plan: Plan, realised: Sequence[float | None]) -> Plan:
    shards = [
        s.model_copy(update={"realised": realised[i] if i < len(realised) else None})
        for i, s in enumerate(plan.shards)
    ]
    return plan.model_copy(update={"shards": shards})


def shard_result(
    plan: Plan,
    index: int | None,
    fits: bool = True,
    max_minutes: float | None = None,
    skew_warn: float = 1.25,
    inputs: Sequence[InputFile] = (),
) -> GateResult:
    reasons: list[Reason] = []
    ratio = plan.predicted_makespan / plan.lower_bound if plan.lower_bound else 1.0
    empty = [s.index for s in plan.shards if not s.tests]
    if empty:
        reasons.append(
            Reason(
                code="shard.empty",
                message=f"{len(empty)} of {plan.total} shards have nothing to run (shards {_span(empty)}): "
                f"only {plan.useful} can be useful with {plan.tests} tests split by {plan.by}",
                fix=f"use --shards {plan.useful}, or --by test to split files; an empty shard runs nothing "
                "and exits 0",
                severity=Status.WARN,
            )
        )
    if ratio > skew_warn:
        reasons.append(
            Reason(
                code="shard.skew",
                message=f"predicted makespan {plan.predicted_makespan:.1f}s is {ratio:.2f}x the lower bound "
                f"{plan.lower_bound:.1f}s",
                fix="try --by test, or fewer shards; a single long test bounds every plan",
                severity=Status.WARN,
            )
        )
    if not fits and max_minutes is not None:
        reasons.append(
            Reason(
                code="shard.too-slow",
                message=f"no plan with up to {plan.total} shards fits {max_minutes:g} minutes; the best "
                f"predicts {plan.predicted_makespan / 60:.1f} minutes",
                fix="raise --max-minutes or shard.max_shards, or speed up the slowest tests",
                severity=Status.WARN,
            )
        )
    realised = [s.realised for s in plan.shards if s.realised is not None]
    metrics: dict[str, float | int | str | bool | None] = {
        "shards": plan.total,
        "useful_shards": plan.useful,
        "tests": plan.tests,
        "estimated_tests": plan.estimated,
        "predicted_makespan_s": plan.predicted_makespan,
        "lower_bound_s": plan.lower_bound,
        "makespan_over_bound": round(ratio, 4),
        "fixed_cost_s": plan.fixed_cost,
        "digest": plan.digest,
    }
    if realised:
        metrics["realised_makespan_s"] = round(max(realised), 3)
    summary = (
        f"{plan.tests} tests in {plan.total} shards by {plan.by}: predicted slowest shard "
        f"{plan.predicted_makespan:.1f}s (lower bound {plan.lower_bound:.1f}s, {plan.estimated} estimated)"
    )
    if realised:
        summary += f"; realised slowest {max(realised):.1f}s"
    return GateResult(
        gate="shard",
        status=Status.worst([r.severity for r in reasons]),
        summary=summary,
        reasons=reasons,
        metrics=metrics,
        inputs=list(inputs),
        details={"plan": plan.model_dump(mode="json"), "index": index},
    )


def _span(indices: list[int]) -> str:
    return f"{indices[0]}-{indices[-1]}" if len(indices) > 1 else str(indices[0])
