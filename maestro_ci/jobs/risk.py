"""The risk score: signals normalised, capped, weighted and summed into [0, 1].

Pure: the command gathers every signal (``jobs/risk_signals.py`` over the
sources) and this module turns them into a :class:`GateResult`. A signal that
could not be measured keeps a reason and its weight is spread over the others
in proportion, so a missing input never counts as "no risk".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.sections.risk import DEFAULT_CAPS, DEFAULT_WEIGHTS, SIGNALS, RiskSection

TOP_REASONS = 3


@dataclass(frozen=True)
class Signal:
    """One measured (``raw`` set) or unmeasured (``missing`` says why) signal."""

    name: str
    raw: float | None
    words: str = ""  # what the raw value means, in plain words
    missing: str = ""  # why it was not measured
    fix: str = ""  # what lowers it


@dataclass(frozen=True)
class Scored:
    signal: Signal
    normalised: float | None
    weight: float  # effective weight after redistribution (0 when not measured)
    configured_weight: float

    @property
    def contribution(self) -> float:
        return 0.0 if self.normalised is None else self.normalised * self.weight


def normalise(name: str, raw: float, cap: float) -> float:
    """Raw value to [0, 1]: ``raw / cap``, or ``(raw / cap + 1) / 2`` for the signed complexity delta."""
    if cap <= 0:
        return 1.0 if raw > 0 else 0.0
    value = (raw / cap + 1) / 2 if name == "complexity_delta" else raw / cap
    return min(1.0, max(0.0, value))


def score_signals(signals: list[Signal], section: RiskSection) -> tuple[float, list[Scored]]:
    weights = {**DEFAULT_WEIGHTS, **section.weights}
    caps = {**DEFAULT_CAPS, **section.caps}
    measured = [s for s in signals if s.raw is not None]
    total = sum(weights.get(s.name, 0.0) for s in measured)
    scored: list[Scored] = []
    for sig in signals:
        configured = weights.get(sig.name, 0.0)
        if sig.raw is None:
            scored.append(Scored(sig, None, 0.0, configured))
            continue
        weight = configured / total if total > 0 else 0.0
        scored.append(Scored(sig, normalise(sig.name, sig.raw, caps.get(sig.name, 1.0)), weight, configured))
    score = round(min(1.0, max(0.0, sum(s.contribution for s in scored))), 3)
    return score, scored


def signal_rows(scored: list[Scored]) -> list[dict[str, Any]]:
    order = {name: i for i, name in enumerate(SIGNALS)}
    rows = []
    for s in sorted(scored, key=lambda s: (order.get(s.signal.name, 99), s.signal.name)):
        rows.append(
            {
                "name": s.signal.name,
                "measured": s.signal.raw is not None,
                "raw": s.signal.raw,
                "normalised": None if s.normalised is None else round(s.normalised, 4),
                "weight": round(s.weight, 4),
                "configured_weight": s.configured_weight,
                "contribution": round(s.contribution, 4),
                "words": s.signal.words,
                "not_measured": s.signal.missing,
            }
        )
    return rows


def top_reasons(scored: list[Scored], severity: Status, limit: int = TOP_REASONS) -> list[Reason]:
    ranked = sorted(
        (s for s in scored if s.contribution > 0 and s.signal.words),
        key=lambda s: (-s.contribution, s.signal.name),
    )
    return [
        Reason(
            code=f"risk.{s.signal.name.replace('_', '-')}",
            message=f"{s.signal.words} (+{s.contribution:.3f})",
            fix=s.signal.fix,
            severity=severity,
        )
        for s in ranked[:limit]
    ]


def verdict(
    score: float,
    threshold: float,
    enforce: bool,
    reasons: list[Reason],
    details: dict[str, Any],
    metrics: dict[str, Any],
    inputs: list[dict[str, str]],
    mode: str,
) -> GateResult:
    """The gate result: warn (or fail when enforced) at or above the threshold."""
    high = score >= threshold
    status = (Status.FAIL if enforce else Status.WARN) if high else Status.PASS
    severity = status if high else Status.PASS
    reasons = [r.model_copy(update={"severity": severity}) for r in reasons]
    if high and not reasons:
        reasons = [Reason(code="risk.score", message=f"risk score {score:.3f}", severity=severity)]
    if high:
        reasons.append(
            Reason(
                code="risk.reviewer-required",
                message=f"risk score {score:.3f} is at or above {threshold:.3g}: a reviewer is required",
                fix="ask a code owner to review, or split the change into smaller ones",
                severity=severity,
            )
        )
    summary = f"risk {score:.3f} ({mode})" + (
        f" ≥ {threshold:.3g}: reviewer required" if high else f" < {threshold:.3g}"
    )
    if details.get("not_measured"):
        summary += "; not measured: " + ", ".join(details["not_measured"])
    return GateResult.model_validate(
        {
            "gate": "risk",
            "status": status,
            "summary": summary,
            "score": score,
            "threshold": threshold,
            "reasons": reasons,
            "metrics": {**metrics, "score": score, "reviewer_required": high},
            "inputs": inputs,
            "details": {**details, "mode": mode, "reviewer_required": high},
        }
    )


def heuristic_result(
    signals: list[Signal],
    section: RiskSection,
    metrics: dict[str, Any],
    inputs: list[dict[str, str]],
    context: dict[str, Any],
) -> GateResult:
    score, scored = score_signals(signals, section)
    status = Status.WARN if score >= section.threshold else Status.PASS
    reasons = top_reasons(scored, status)
    not_measured = [s.signal.name for s in scored if s.signal.raw is None]
    details = {
        **context,
        "signals": signal_rows(scored),
        "not_measured": not_measured,
    }
    measured_metrics = {f"signal.{s.signal.name}": s.signal.raw for s in scored if s.signal.raw is not None}
    return verdict(
        score,
        section.threshold,
        section.enforce,
        reasons,
        details,
        {**metrics, **measured_metrics, "not_measured": len(not_measured)},
        inputs,
        "default formula",
    )
