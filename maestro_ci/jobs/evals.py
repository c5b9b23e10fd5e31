"""Run eval scenarios: weighted scores, repeats, variants, the suite, regressions.

``run_suite`` runs scenarios in parallel (``jobs`` threads; the commands the
checks start are separate processes) and returns an :class:`EvalReport`;
``evals_gate.to_gate_result`` turns it into the ``evals`` gate result.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_ci.jobs.evals_checks import run_check
from maestro_ci.jobs.evals_context import Options, RunContext, merge_fixtures
from maestro_ci.jobs.evals_model import Scenario, check_weights
from maestro_ci.jobs.evals_results import CheckResult, EvalReport, Regression, ScenarioResult, VariantResult

if TYPE_CHECKING:
    from maestro_ci.sources.eval_workspace import Workspace


def check_name(check: object, index: int) -> str:
    return getattr(check, "id", None) or f"{getattr(check, 'type', 'check')}#{index + 1}"


def weighted(results: list[CheckResult], weights: list[float]) -> float:
    total = sum(weights)
    if total <= 0:
        return 0.0
    return round(sum(r.score * w for r, w in zip(results, weights, strict=True)) / total, 6)


def score_run(scenario: Scenario, ctx: RunContext, weights: list[float]) -> tuple[float, list[CheckResult]]:
    results = []
    for i, (check, weight) in enumerate(zip(scenario.checks, weights, strict=True)):
        result = run_check(check, ctx, check_name(check, i))
        results.append(result.model_copy(update={"weight": round(weight, 6)}))
    return weighted(results, weights), results


def run_scenario(
    path: Path, scenario: Scenario, ws: Workspace, options: Options, shown: str
) -> ScenarioResult:
    weights = check_weights(scenario)
    threshold = options.threshold if scenario.threshold is None else scenario.threshold
    ctx = RunContext(ws, merge_fixtures(scenario.fixtures), options, scenario.timeout)
    runs = [score_run(scenario, ctx, weights) for _ in range(scenario.repeat)]
    errored = any(r.status == "error" for _, checks in runs for r in checks)
    passed = sum(
        1 for score, checks in runs if score >= threshold and all(c.status != "error" for c in checks)
    )
    rate = passed / len(runs)
    score = round(sum(s for s, _ in runs) / len(runs), 6)
    variants = []
    for variant in scenario.variants:
        vctx = replace(ctx, fixture=merge_fixtures([*scenario.fixtures, *variant.fixtures]), env=variant.env)
        vscore, vchecks = score_run(scenario, vctx, weights)
        errored = errored or any(c.status == "error" for c in vchecks)
        variants.append(
            VariantResult(
                name=variant.name,
                score=vscore,
                failing=[f"{c.name}: {c.message}" for c in vchecks if c.status != "pass"],
            )
        )
    delta = round(max(0.0, *(score - v.score for v in variants)), 6) if variants else None
    status = "error" if errored else ("pass" if rate >= scenario.pass_rate else "fail")
    return ScenarioResult(
        id=scenario.id,
        file=shown,
        status=status,
        score=score,
        threshold=threshold,
        required=scenario.required,
        holdout=scenario.holdout,
        prompt=scenario.prompt,
        tags=list(scenario.tags),
        checks=runs[0][1],
        runs=len(runs),
        runs_passed=passed,
        pass_rate=round(rate, 6),
        required_pass_rate=scenario.pass_rate,
        variants=variants,
        robustness_delta=delta,
    )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def run_suite(
    items: list[tuple[Path, Scenario, str]],
    ws: Workspace,
    options: Options,
    jobs: int = 1,
    baseline: EvalReport | None = None,
    baseline_file: str | None = None,
) -> EvalReport:
    """Run every scenario (``(path, scenario, shown name)``) and compare with the baseline."""

    def one(item: tuple[Path, Scenario, str]) -> ScenarioResult:
        return run_scenario(item[0], item[1], ws, options, item[2])

    if jobs > 1 and len(items) > 1:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, items))

    else:
        results = [one(item) for item in items]
    results.sort(key=lambda r: r.id)
    suite = _mean([r.score for r in results if not r.holdout])
    holdout = _mean([r.score for r in results if r.holdout])
    gap = round(suite - holdout, 6) if suite is not None and holdout is not None else None
    regressions: list[Regression] = []
    new: list[str] = []
    removed: list[str] = []
    if baseline is not None:
        before = {s.id: s.score for s in baseline.scenarios}
        now = {s.id: s.score for s in results}
        new = sorted(set(now) - set(before))
        removed = sorted(set(before) - set(now))
        for sid in sorted(set(now) & set(before)):
            drop = round(before[sid] - now[sid], 6)
            if drop > options.allowed_regression:
                regressions.append(Regression(id=sid, baseline=before[sid], score=now[sid], delta=drop))
    return EvalReport(
        threshold=options.threshold,
        suite_score=suite,
        holdout_score=holdout,
        generalisation_gap=gap,
        scenarios=results,
        baseline_file=baseline_file,
        regressions=regressions,
        new=new,
        removed=removed,
        robustness_bound=options.robustness_bound,
        allowed_regression=options.allowed_regression,
    )
