"""Annotations derived from a gate result's located reasons."""

from __future__ import annotations

from dataclasses import dataclass

from maestro_ci.models import GateResult, Status

_LEVEL = {
    Status.ERROR: "error",
    Status.FAIL: "error",
    Status.WARN: "warning",
    Status.PASS: "notice",
}


@dataclass(frozen=True)
class Annotation:
    level: str
    message: str
    title: str
    file: str | None
    line: int | None
    end_line: int | None


def to_annotations(result: GateResult) -> list[Annotation]:
    out: list[Annotation] = []
    for reason in result.reasons:
        loc = reason.location
        message = reason.message + (f"\nFix: {reason.fix}" if reason.fix else "")
        out.append(
            Annotation(
                _LEVEL[reason.severity],
                message,
                f"maestro-ci {result.gate}: {reason.code}",
                loc.file if loc else None,
                loc.line if loc else None,
                loc.end_line if loc else None,
            )
        )
    return sorted(out, key=lambda a: (a.level, a.file or "", a.line or 0, a.title))
