"""Markdown rendering: one section per gate result, and the page that joins them.

A gate can add its own content (a chart, a table) with a module
``maestro_ci/render/sections/<gate>.py`` defining ``render(result) -> str``;
it is found by name, so gates never edit this file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import cast

from maestro_ci.models import GateResult, Status

BADGE = {
    Status.PASS: "✅ pass",
    Status.WARN: "⚠️ warn",
    Status.FAIL: "❌ fail",
    Status.ERROR: "⛔ error",
}
MAX_REASONS_INLINE = 10


def md_escape(text: str) -> str:
    """Escape what would break a table cell or start markup."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


def gate_extra(result: GateResult) -> str:
    name = result.gate.split(":", 1)[0].replace("-", "_")
    try:
        module = importlib.import_module(f"maestro_ci.render.sections.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f"sections.{name}"):
            return ""
        raise
    render = cast(Callable[[GateResult], str], module.render)
    return render(result)


def reasons_table(result: GateResult) -> str:
    rows = sorted(result.reasons, key=lambda r: (-r.severity.rank, r.code, str(r.location or "")))
    if not rows:
        return ""
    out = ["| | reason | where | fix |", "|---|---|---|---|"]
    for reason in rows:
        where = f"`{md_escape(str(reason.location))}`" if reason.location else ""
        out.append(
            f"| {BADGE[reason.severity].split()[0]} | {md_escape(reason.message)} | {where} "
            f"| {md_escape(reason.fix)} |"
        )
    table = "\n".join(out) + "\n"
    if len(rows) > MAX_REASONS_INLINE:
        return f"<details><summary>{len(rows)} reasons</summary>\n\n{table}\n</details>\n"
    return table


def render_section(result: GateResult, level: int = 2) -> str:
    hashes = "#" * level
    parts = [f"{hashes} {result.gate} — {BADGE[result.status]}\n"]
    if result.summary:
        parts.append(f"{md_escape(result.summary)}\n")
    if result.score is not None:
        line = f"**Score** {result.score:.3f}"
        if result.threshold is not None:
            line += f" (threshold {result.threshold:.3f})"
        parts.append(line + "\n")
    if table := reasons_table(result):
        parts.append(table)
    if result.overrides:
        parts.append("**Overrides**\n")
        parts.extend(
            f"- `{md_escape(o.rule)}` lifted by {md_escape(o.granted_by)} ({o.source}): "
            f"{md_escape(o.justification)}\n"
            for o in result.overrides
        )
    if extra := gate_extra(result):
        parts.append(extra)
    return "\n".join(parts) + "\n"


def render_markdown(result: GateResult) -> str:
    return render_section(result)


def render_page(results: Sequence[GateResult], title: str = "maestro-ci") -> str:
    """A whole page: a verdict header, then one section per gate in a stable order."""
    ordered = sorted(results, key=lambda r: r.gate)
    worst = Status.worst([r.status for r in ordered])
    counts = {s: sum(1 for r in ordered if r.status is s) for s in Status}
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = "blocked" if worst.blocks else "ready"
    head = f"# {title}: {BADGE[worst]} — {verdict}\n\n{len(ordered)} gates: {tally or 'none'}\n\n"
    return head + "".join(render_section(r) for r in ordered)
