"""The risk section of the summary: a Mermaid bar chart of contributions, and a table."""

from __future__ import annotations

from typing import Any

from maestro_ci.models import GateResult


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _chart(title: str, names: list[str], values: list[float]) -> str:
    labels = ", ".join(f'"{n}"' for n in names)
    top = max([0.0, *values])
    low = min([0.0, *values])
    bars = ", ".join(f"{v:.4f}" for v in values)
    return (
        "```mermaid\nxychart-beta\n"
        f'  title "{title}"\n'
        f"  x-axis [{labels}]\n"
        f'  y-axis "contribution" {low:.3f} --> {max(top, 0.001):.3f}\n'
        f"  bar [{bars}]\n```\n"
    )


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def render(result: GateResult) -> str:
    details = result.details
    parts: list[str] = []
    model = details.get("model")
    if isinstance(model, dict):
        rows = model.get("features", [])
        parts.append(
            _chart(
                "Log-odds terms of the model",
                [r["name"] for r in rows],
                [float(r["contribution"]) for r in rows],
            )
        )
        parts.append("| feature | value | coefficient | log-odds term | meaning |\n|---|---:|---:|---:|---|")
        parts += [
            f"| {r['name']} | {_fmt(r['raw'])} | {_fmt(r['coefficient'])} | {float(r['contribution']):+.3f} "
            f"| {_esc(r['words'])} |"
            for r in rows
        ]
        metrics = model.get("metrics", {})
        parts.append(
            f"\nModel trained on {model.get('window', {}).get('commits', '?')} commits "
            f"(hold-out AUC {_fmt(metrics.get('auc'))}, Brier {_fmt(metrics.get('brier'))}); "
            f"the default formula scores {_fmt(details.get('formula_score'))}.\n"
        )
        return "\n".join(parts) + "\n"
    signals = details.get("signals", [])
    if not signals:
        return ""
    measured = [s for s in signals if s.get("measured")]
    parts.append(
        _chart(
            "Contribution of each signal to the risk score",
            [s["name"] for s in measured],
            [float(s["contribution"]) for s in measured],
        )
    )
    parts.append(
        "| signal | raw | normalised | weight | contribution | meaning |\n|---|---:|---:|---:|---:|---|"
    )
    for s in signals:
        if s.get("measured"):
            parts.append(
                f"| {s['name']} | {_fmt(s['raw'])} | {_fmt(s['normalised'])} | {s['weight']:.3f} "
                f"| {s['contribution']:.3f} | {_esc(s.get('words', ''))} |"
            )
        else:
            parts.append(f"| {s['name']} | not measured | — | 0 | — | {_esc(s.get('not_measured', ''))} |")
    missing = [s["name"] for s in signals if not s.get("measured")]
    if missing:
        parts.append(f"\nNot measured (weight spread over the others): {', '.join(missing)}.\n")
    return "\n".join(parts) + "\n"
