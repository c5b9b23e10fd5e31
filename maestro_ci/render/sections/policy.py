"""The policy gate's summary section: findings grouped by rule, with reason and fix."""

from __future__ import annotations

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape

_ICON = {"enforce": "❌", "warn": "⚠️", "observe": "👁️"}


def render(result: GateResult) -> str:
    rules = [r for r in result.details.get("rules", []) if isinstance(r, dict) and r.get("findings")]
    if not rules:
        return "_No rule found anything in this change._\n" if result.details.get("rules") else ""
    out = [
        "**By rule**\n",
        "| rule | mode | findings | why | fix |",
        "|---|---|---:|---|---|",
    ]
    for rule in sorted(rules, key=lambda r: (not r.get("overridden"), str(r.get("mode")), str(r["id"]))):
        mode = str(rule.get("mode", ""))
        shown = "🔓 overridden" if rule.get("overridden") else f"{_ICON.get(mode, '')} {mode}"
        out.append(
            f"| `{md_escape(str(rule['id']))}` | {shown} | {rule['findings']} "
            f"| {md_escape(str(rule.get('reason', '')))} | {md_escape(str(rule.get('fix', '')))} |"
        )
    for note in result.details.get("notes", []):
        out.append(f"\n_{md_escape(str(note))}_")
    return "\n".join(out) + "\n"
