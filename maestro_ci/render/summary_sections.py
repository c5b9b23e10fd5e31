"""One gate's part of the summary page, with size caps and a guard around section renderers.

A gate's own extras come from ``maestro_ci/render/sections/<gate>.py``; when
that module raises, its part is marked broken and the page goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.render.markdown import BADGE, gate_extra, md_escape

MAX_CELL = 400
EXTRA_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Placed:
    """A gate result and the run folder (and file) it came from."""

    run: str
    file: str
    result: GateResult


def cell(text: str, limit: int = MAX_CELL) -> str:
    text = md_escape(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip("\\") + "…"


def score_text(result: GateResult) -> str:
    if result.score is None:
        return ""
    text = f"{result.score:.3f}"
    if result.threshold is not None:
        text += f" / {result.threshold:.3f}"
    return text


def reasons_table(reasons: Sequence[Reason], max_rows: int, json_hint: str) -> str:
    rows = sorted(reasons, key=lambda r: (-r.severity.rank, r.code, str(r.location or ""), r.message))
    if not rows:
        return ""
    out = ["| | reason | where | fix |", "|---|---|---|---|"]
    for reason in rows[:max_rows]:
        where = f"`{cell(str(reason.location), 200)}`" if reason.location else ""
        out.append(
            f"| {BADGE[reason.severity].split()[0]} | {cell(reason.message)} | {where} | {cell(reason.fix)} |"
        )
    table = "\n".join(out) + "\n"
    if len(rows) > max_rows:
        table += f"\n_{len(rows) - max_rows:,} more reasons not shown: see {json_hint}._\n"
    if len(rows) > 10:
        return f"<details><summary>{len(rows):,} reasons</summary>\n\n{table}\n</details>\n"
    return table


def safe_extra(result: GateResult) -> str:
    """The gate's own section content; a failing renderer is named, never fatal."""
    try:
        extra = gate_extra(result)
    except Exception as exc:  # a section module is someone else's code: contain it
        return (
            f"> ⚠️ **Broken part**: the `{cell(result.gate, 80)}` section renderer failed "
            f"({type(exc).__name__}: {cell(str(exc), 200)}); the rest of the page is complete.\n"
        )
    if not isinstance(extra, str):
        return f"> ⚠️ **Broken part**: the `{cell(result.gate, 80)}` section renderer returned no text.\n"
    if len(extra.encode("utf-8")) > EXTRA_LIMIT:
        return f"_The `{cell(result.gate, 80)}` details are too large for this page: see its JSON result._\n"
    return extra


def one_result(placed: Placed, max_rows: int, extras: bool) -> str:
    result = placed.result
    parts: list[str] = []
    if result.summary:
        parts.append(cell(result.summary, 2000) + "\n")
    if result.score is not None:
        line = f"**Score** {result.score:.3f}"
        if result.threshold is not None:
            line += f" (threshold {result.threshold:.3f})"
        parts.append(line + "\n")
    if table := reasons_table(result.reasons, max_rows, f"`{placed.run}/{placed.file}`"):
        parts.append(table)
    if result.overrides:
        parts.append("**Overrides**\n")
        parts.extend(
            f"- `{cell(o.rule, 200)}` lifted by {cell(o.granted_by, 200)} ({cell(o.source, 40)}): "
            f"{cell(o.justification)}\n"
            for o in result.overrides
        )
    if extras and (extra := safe_extra(result)):
        parts.append(extra)
    elif not extras:
        parts.append(f"_Details left out to keep the page small: see `{placed.run}/{placed.file}`._\n")
    return "\n".join(parts)


def gate_section(gate: str, placed: Sequence[Placed], max_rows: int = 200, extras: bool = True) -> str:
    """``## gate — status``; several results of one gate (shards, jobs) are shown one by one."""
    worst = Status.worst([p.result.status for p in placed])
    head = f"## {cell(gate, 200)} — {BADGE[worst]}\n\n"
    if len(placed) == 1:
        return head + one_result(placed[0], max_rows, extras) + "\n"
    lines = ["| run | status | score | summary |", "|---|---|---|---|"]
    lines += [
        f"| `{cell(p.run, 100)}` | {BADGE[p.result.status]} | {score_text(p.result)} | {cell(p.result.summary)} |"
        for p in placed
    ]
    body = [head + "\n".join(lines) + "\n"]
    per_rows = max(5, max_rows // len(placed))
    for p in placed:
        body.append(f"### {cell(gate, 200)} in `{cell(p.run, 100)}` — {BADGE[p.result.status]}\n")
        body.append(one_result(p, per_rows, extras))
    return "\n".join(body) + "\n"
