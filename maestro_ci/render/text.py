"""Plain-text rendering of a gate result for terminals and logs."""

from __future__ import annotations

from maestro_ci.models import GateResult, Status

ICON = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.ERROR: "ERROR"}


def score_line(result: GateResult) -> str:
    if result.score is None:
        return ""
    text = f"score {result.score:.3f}"
    if result.threshold is not None:
        text += f" (threshold {result.threshold:.3f})"
    return text


def render_text(result: GateResult) -> str:
    head = f"{result.gate}: {ICON[result.status]}"
    if result.summary:
        head += f" — {result.summary}"
    lines = [head]
    if score := score_line(result):
        lines.append(f"  {score}")
    for reason in sorted(result.reasons, key=lambda r: (-r.severity.rank, r.code, str(r.location or ""))):
        where = f"{reason.location}: " if reason.location else ""
        lines.append(f"  [{reason.severity}] {where}{reason.message} ({reason.code})")
        if reason.fix:
            lines.append(f"      fix: {reason.fix}")
    for override in result.overrides:
        lines.append(
            f"  override: rule {override.rule} lifted by {override.granted_by} "
            f"({override.source}): {override.justification}"
        )
    return "\n".join(lines) + "\n"
