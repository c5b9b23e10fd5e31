"""Summary section of the ``sbom-diff`` gate: what drifted, one collapsible table per kind."""

from __future__ import annotations

from typing import Any

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape

MAX_ROWS = 100


def _table(title: str, head: str, rows: list[str]) -> str:
    if not rows:
        return ""
    shown = rows[:MAX_ROWS]
    more = f"\n_{len(rows) - MAX_ROWS:,} more in the JSON result._\n" if len(rows) > MAX_ROWS else ""
    cols = head.count("|") - 1
    sep = "|" + "---|" * cols
    body = "\n".join([head, sep, *shown])
    return f"<details><summary>{title} ({len(rows):,})</summary>\n\n{body}\n{more}\n</details>\n"


def _lic(values: Any) -> str:
    return md_escape(", ".join(str(v) for v in values) if isinstance(values, list) and values else "none")


def render(result: GateResult) -> str:
    d = result.details
    parts = [
        _table(
            "Added",
            "| component | version | licence |",
            [
                f"| {md_escape(str(c.get('name')))} | {md_escape(str(c.get('version') or ''))} | {_lic(c.get('licenses'))} |"
                for c in d.get("added") or []
            ],
        ),
        _table(
            "Removed",
            "| component | version |",
            [
                f"| {md_escape(str(c.get('name')))} | {md_escape(str(c.get('version') or ''))} |"
                for c in d.get("removed") or []
            ],
        ),
        _table(
            "Changed",
            "| component | from | to |",
            [
                f"| {md_escape(str(c.get('name')))} | {md_escape(str(c.get('old') or ''))} | {md_escape(str(c.get('new') or ''))} |"
                for c in d.get("changed") or []
            ],
        ),
        _table(
            "Licence changes",
            "| component | from | to |",
            [
                f"| {md_escape(str(c.get('name')))} | {_lic(c.get('old'))} | {_lic(c.get('new'))} |"
                for c in d.get("licence_changes") or []
            ],
        ),
    ]
    return "\n".join(p for p in parts if p)
