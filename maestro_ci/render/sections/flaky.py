"""Summary section of the ``flaky`` gate: the top flaky tests and their evidence."""

from __future__ import annotations

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape


def _evidence(items: list[dict[str, object]]) -> str:
    parts = []
    for e in items:
        outcomes = e.get("outcomes")
        trail = " → ".join(str(o) for o in outcomes) if isinstance(outcomes, list) else ""
        commit = str(e.get("commit") or "")[:8]
        parts.append(f"{e.get('kind')}{f' @{commit}' if commit else ''}: {trail}")
    return md_escape("; ".join(parts)) or "—"


def render(result: GateResult) -> str:
    top = result.details.get("top")
    if not isinstance(top, list):
        return ""
    if not top:
        return "No flaky tests seen.\n"
    rows = ["| test | flake rate | flaky / runs | failed | evidence |", "|---|---:|---:|---:|---|"]
    for row in top:
        rows.append(
            f"| `{md_escape(str(row['test']))}` | {float(row['rate']):.1%} | {row['flaky']} / {row['runs']} "
            f"| {row['failed']} | {_evidence(row.get('evidence') or [])} |"
        )
    return "\n".join(rows) + "\n"
