"""Summary-page section of the affected gate: the selection, each test with its reason."""

from __future__ import annotations

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape

MAX_ROWS = 50


def render(result: GateResult) -> str:
    from maestro_ci.commands.affected import describe

    d = result.details
    rng = d.get("range") or {}
    out = [
        f"**Mode** {d.get('effective_mode', d.get('mode', ''))} · compared `{md_escape(str(rng.get('base', '')))}`"
        f"..`{md_escape(str(rng.get('head', '')))}` ({md_escape(str(rng.get('reason', '')))})",
        "",
    ]
    if d.get("observe"):
        out += ["_Observation mode: every test runs; the table shows what selection would have chosen._", ""]
    triggers = d.get("triggers", [])
    if triggers:
        out += ["**Running all tests** because:", ""]
        out += [f"- {md_escape(str(t['message']))}" for t in triggers]
        out.append("")
    selected = d.get("selected", [])
    if selected:
        out += [
            f"{len(selected)} selected of {d.get('total_known', 0)} test files known.",
            "",
            "| test | why |",
            "|---|---|",
        ]
        for entry in selected[:MAX_ROWS]:
            why = "; ".join(describe(w) for w in entry["why"])
            out.append(f"| `{md_escape(str(entry['test']))}` | {md_escape(why)} |")
        if len(selected) > MAX_ROWS:
            out.append(f"\n_{len(selected) - MAX_ROWS} more in the JSON result._")
    elif not triggers:
        out.append("No test selected: the change reaches no test.")
    fallbacks = d.get("fallbacks") or {}
    if fallbacks:
        out += [
            "",
            "Static fallback: "
            + "; ".join(f"`{md_escape(p)}` ({md_escape(r)})" for p, r in fallbacks.items()),
        ]
    unimported = d.get("unimported") or []
    if unimported:
        out += [
            "",
            "No test imported these when the coverage map was recorded (only tests that start a "
            "subprocess can reach them): " + ", ".join(f"`{md_escape(str(p))}`" for p in unimported),
        ]
    return "\n".join(out) + "\n"
