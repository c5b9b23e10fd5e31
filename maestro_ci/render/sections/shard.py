"""Summary section of the ``shard`` gate: a Mermaid chart of predicted (and realised) time per shard."""

from __future__ import annotations

from maestro_ci.models import GateResult
from maestro_ci.render.markdown import md_escape


def render(result: GateResult) -> str:
    plan = result.details.get("plan")
    if not isinstance(plan, dict) or not plan.get("shards"):
        return ""
    shards = plan["shards"]
    labels = ", ".join(f'"{s["index"]}"' for s in shards)
    predicted = ", ".join(f"{float(s['predicted']):.2f}" for s in shards)
    realised = [s.get("realised") for s in shards]
    top = max([float(s["predicted"]) for s in shards] + [float(r) for r in realised if r is not None] + [0.1])
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "Time per shard (s): bars predicted{", line realised" if any(r is not None for r in realised) else ""}"',
        f"    x-axis [{labels}]",
        f'    y-axis "seconds" 0 --> {top * 1.1:.2f}',
        f"    bar [{predicted}]",
    ]
    if any(r is not None for r in realised):
        lines.append("    line [" + ", ".join(f"{float(r or 0):.2f}" for r in realised) + "]")
    lines.append("```")
    rows = ["| shard | tests | predicted (s) | realised (s) |", "|---:|---:|---:|---:|"]
    for s in shards:
        real = f"{float(s['realised']):.2f}" if s.get("realised") is not None else "—"
        rows.append(f"| {s['index']} | {len(s['tests'])} | {float(s['predicted']):.2f} | {real} |")
    foot = (
        f"Planned by **{md_escape(str(plan['by']))}** (asked: {md_escape(str(plan['requested_by']))}); "
        f"lower bound {float(plan['lower_bound']):.2f}s, fixed cost per shard {float(plan['fixed_cost']):.2f}s, "
        f"{plan['estimated']} of {plan['tests']} tests estimated; plan digest `{str(plan['digest'])[:16]}`."
    )
    return "\n".join(lines) + "\n\n" + "\n".join(rows) + "\n\n" + foot + "\n"
