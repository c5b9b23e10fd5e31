"""One measurement of one metric: successful, failed, inconclusive or error, and why.

Plain metrics apply their conditions (``on_no_data`` / ``on_nan`` first, unless a
condition calls ``len`` / ``isNaN`` itself); comparisons use the Mann-Whitney judge;
burn rates apply the multi-window rule (both windows must burn to fail).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from maestro_ci.jobs.durations import prometheus_duration
from maestro_ci.jobs.health_expr import EvalError, parse_condition
from maestro_ci.jobs.health_model import Metric, Outcome, Source
from maestro_ci.sources.probe import Probe, ProbeError, Value, is_nan

OUTCOME_PHASE = {"pass": "successful", "fail": "failed", "inconclusive": "inconclusive"}
Fetch = Callable[[Source, dict[str, str]], Probe]


@dataclass
class Verdict:
    phase: str  # successful | failed | inconclusive | error
    value: Value
    condition: str = ""
    message: str = ""
    resolved: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


def _outcome(what: str, outcome: Outcome, why: str) -> tuple[str, str, str]:
    return OUTCOME_PHASE[outcome], f"on_{what}: {outcome}", why


def judge_value(metric: Metric, probe: Probe) -> tuple[str, str, str]:
    """(phase, condition shown, message) for a plain threshold metric."""
    success = parse_condition(metric.success) if metric.success else None
    failure = parse_condition(metric.failure) if metric.failure else None
    uses: frozenset[str] = frozenset().union(*(c.uses for c in (success, failure) if c))
    value: Value = probe.value
    if value is None:
        if "len" not in uses:
            return _outcome("no_data", metric.on_no_data, f"no data: {probe.no_data or 'empty answer'}")
        value = []
    elif is_nan(value) and "isNaN" not in uses:
        return _outcome("nan", metric.on_nan, "the source returned NaN")
    try:
        if failure is not None and failure.holds(value):
            return "failed", failure.text, f"failure condition holds: {failure.text}"
        if success is not None:
            if success.holds(value):
                return "successful", success.text, ""
            if failure is None:
                return "failed", success.text, f"success condition does not hold: {success.text}"
            return "inconclusive", success.text, "neither the success nor the failure condition holds"
    except EvalError as exc:
        shown = failure or success
        return "error", shown.text if shown else "", str(exc)
    return "successful", failure.text if failure else "", ""


def measure(metric: Metric, fetch: Fetch) -> Verdict:
    """Fetch and judge one measurement; ProbeError propagates (the loop retries it)."""
    if metric.compare is not None:
        return _measure_compare(metric, fetch)
    if metric.burn_rate is not None:
        return _measure_burn(metric, fetch)
    probe = fetch(metric.source, {})
    phase, condition, message = judge_value(metric, probe)
    return Verdict(phase, probe.value, condition, message, [probe.resolved], [probe.raw])


def _series(probe: Probe) -> list[float]:
    if probe.value is None:
        return []
    return probe.value if isinstance(probe.value, list) else [probe.value]


def _measure_compare(metric: Metric, fetch: Fetch) -> Verdict:
    from maestro_ci.jobs.health_stats import compare

    spec = metric.compare
    assert spec is not None
    canary = fetch(metric.source, {})
    baseline = fetch(spec.baseline, {})
    result = compare(_series(canary), _series(baseline), spec)
    shown = f"canary vs baseline: bad if {spec.direction}, tolerance {spec.tolerance:g}, alpha {spec.alpha:g}"
    verdict = Verdict(
        "successful",
        result.canary_median,
        shown,
        resolved=[canary.resolved, baseline.resolved],
        raw=[canary.raw, baseline.raw],
        stats=result.as_dict(),
    )
    if result.classification == "no data":
        verdict.phase, verdict.condition, verdict.message = _outcome(
            "no_data", metric.on_no_data, f"no data: {result.note}"
        )
    elif result.bad(spec.direction):
        verdict.phase = "failed"
        verdict.message = result.note or (
            f"canary is {result.classification}: median {result.canary_median:.4g} vs "
            f"{result.baseline_median:.4g} ({(result.effect or 0) * 100:+.1f}%, p={result.p_value:.3g})"
        )
    return verdict


def _single(probe: Probe, window: str) -> float | None:
    value = probe.value
    if isinstance(value, list):
        if len(value) > 1:
            raise ProbeError(f"the error-ratio query for {window} gave {len(value)} series; aggregate it")
        value = value[0] if value else None
    return value


def _measure_burn(metric: Metric, fetch: Fetch) -> Verdict:
    spec = metric.burn_rate
    assert spec is not None
    budget = 1.0 - spec.objective
    probes, burns = [], []
    for seconds in (spec.long_window, spec.short_window):
        window = prometheus_duration(seconds)
        probe = fetch(metric.source, {"window": window})
        probes.append(probe)
        ratio = _single(probe, window)
        burns.append(None if ratio is None else ratio / budget)
    long_burn, short_burn = burns
    rule = f"burn > {spec.max_burn:g} over both {prometheus_duration(spec.long_window)} and {prometheus_duration(spec.short_window)}"
    verdict = Verdict(
        "successful",
        long_burn,
        rule,
        resolved=[p.resolved for p in probes],
        raw=[p.raw for p in probes],
        stats={"long_burn": long_burn, "short_burn": short_burn, "objective": spec.objective},
    )
    if long_burn is None or short_burn is None:
        verdict.phase, verdict.condition, verdict.message = _outcome(
            "no_data", metric.on_no_data, "no data: the error-ratio query returned nothing"
        )
    elif math.isnan(long_burn) or math.isnan(short_burn):
        verdict.phase, verdict.condition, verdict.message = _outcome(
            "nan", metric.on_nan, "the error ratio is NaN (no traffic?)"
        )
    elif long_burn > spec.max_burn and short_burn > spec.max_burn:
        verdict.phase = "failed"
        verdict.message = f"burning the error budget {long_burn:.3g}x (long) and {short_burn:.3g}x (short)"
    return verdict
