"""The ``evals`` gate on the summary page: the "PR Eval Score" tile and the scenario table."""

from __future__ import annotations

from typing import Any

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape

ICON = {"pass": "✅", "fail": "❌", "error": "⛔"}


def _failing(s: dict[str, Any]) -> str:
    bad = [
        f"**{md_escape(c['name'])}**: {md_escape(c['message'])}" for c in s["checks"] if c["status"] != "pass"
    ]
    if s.get("runs", 1) > 1:
        bad.append(f"passed {s['runs_passed']}/{s['runs']} runs (needs {s['required_pass_rate']:.0%})")
    if s.get("robustness_delta") is not None:
        bad.append(f"robustness Δ {s['robustness_delta']:.3f}")
    return "<br>".join(bad) or "—"


def _rows(scenarios: list[dict[str, Any]]) -> list[str]:
    out = ["| | scenario | score | threshold | failing checks |", "|---|---|---:|---:|---|"]
    for s in scenarios:
        flag = " (required)" if s.get("required") else ""
        out.append(
            f"| {ICON[s['status']]} | `{md_escape(s['id'])}`{flag} | {s['score']:.3f} | {s['threshold']:.3f} "
            f"| {_failing(s)} |"
        )
    return out


def render(result: GateResult) -> str:
    report = result.details.get("report")
    if not isinstance(report, dict):
        return ""
    suite = report.get("suite_score")
    ok = not result.status.blocks
    score = f"{suite:.3f}" if isinstance(suite, int | float) else "n/a"
    parts = [
        "| PR Eval Score | threshold | verdict |",
        "|:---:|:---:|:---:|",
        f"| **{score}** | {report['threshold']:.3f} | {'✅' if ok else '❌'} {result.status} |",
        "",
    ]
    scenarios = report.get("scenarios", [])
    main = [s for s in scenarios if not s.get("holdout")]
    holdout = [s for s in scenarios if s.get("holdout")]
    if main:
        parts += [*_rows(main), ""]
    if holdout:
        gap = report.get("generalisation_gap")
        gap_text = f", generalisation gap {gap:+.3f}" if isinstance(gap, int | float) else ""
        parts += [f"**Holdout** (not in the suite score): {report['holdout_score']:.3f}{gap_text}", ""]
        parts += [*_rows(holdout), ""]
    if report.get("baseline_file"):
        parts.append(
            f"Baseline `{md_escape(report['baseline_file'])}`: {len(report['regressions'])} regression(s)"
            + (f"; new: {', '.join(report['new'])}" if report.get("new") else "")
            + (f"; removed: {', '.join(report['removed'])}" if report.get("removed") else "")
        )
        parts.append("")
    return "\n".join(parts)
