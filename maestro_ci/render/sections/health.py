"""Markdown for the health gate: a table per metric and a Mermaid chart of its values."""

from __future__ import annotations

from typing import Any

from maestro_ci.models import GateResult

ICON = {"successful": "✅", "failed": "❌", "inconclusive": "❔", "error": "⛔", "stopped": "⏹️"}
VERDICT = {"promote": "🚀 promote", "hold": "⏸️ hold", "rollback": "⏪ rollback"}
MAX_ROWS = 50


def _esc(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: object) -> str:
    return str(text).replace("|", "\\|").replace("`", "'").replace("\n", " ")


def _value(value: Any) -> str:
    if value is None:
        return "no data"
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:5])
        return f"[{shown}{', …' if len(value) > 5 else ''}]"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        return float(max(value))
    return None


def chart(metric: dict[str, Any]) -> str:
    points = [(m["index"], _number(m.get("value"))) for m in metric["measurements"]]
    points = [(i, v) for i, v in points if v is not None]
    if len(points) < 2:
        return ""
    xs = ", ".join(str(i) for i, _ in points)
    ys = ", ".join(f"{v:.6g}" for _, v in points)
    unit = f" ({metric['unit']})" if metric.get("unit") else ""
    return (
        "```mermaid\nxychart-beta\n"
        f'    title "{metric["name"]}{unit} per measurement"\n'
        f"    x-axis [{xs}]\n"
        f"    line [{ys}]\n```\n"
    )


def metric_table(metric: dict[str, Any]) -> str:
    rows = ["| # | at | phase | value | condition | note |", "|---|---|---|---|---|---|"]
    for m in metric["measurements"][:MAX_ROWS]:
        note = m.get("message", "")
        stats = m.get("stats")
        if stats:
            note = (note + " " if note else "") + ", ".join(f"{k}={_value(v)}" for k, v in stats.items())
        rows.append(
            f"| {m['index']} | +{m['at']:g}s | {ICON.get(m['phase'], '')} {m['phase']} "
            f"| {_esc(_value(m.get('value')))} | `{_code(m.get('condition', ''))}` | {_esc(note)} |"
        )
    more = len(metric["measurements"]) - MAX_ROWS
    if more > 0:
        rows.append(f"| | | | | | {more} more in the JSON result |")
    queries = {q for m in metric["measurements"] for q in m.get("query", [])}
    query = "".join(f"\nquery: `{_code(q)}`" for q in sorted(queries)[:3])
    dry = " (dry run)" if metric.get("dry_run") else ""
    head = f"**{_esc(metric['name'])}** — {ICON.get(metric['phase'], '')} {metric['phase']}{dry}: {_esc(metric['why'])}{query}\n"
    return head + "\n" + "\n".join(rows) + "\n"


def render(result: GateResult) -> str:
    details = result.details
    verdict = details.get("verdict", "")
    parts = [f"**Verdict: {VERDICT.get(verdict, verdict)}**\n"]
    for metric in details.get("metrics", []):
        parts.append(metric_table(metric))
        if graph := chart(metric):
            parts.append(graph)
    return "\n".join(parts)
