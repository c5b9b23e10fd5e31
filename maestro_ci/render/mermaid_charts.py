"""Mermaid charts (rendered by GitHub, and by the HTML page when its script is loaded).

Section renderers may use these to add a chart where a person would rather
look than read: ``pie`` for shares, ``bar`` for one value per label. Labels are
cleaned so that no input can break out of the chart block.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

MAX_POINTS = 40
_UNSAFE = re.compile(r'["`\r\n\[\]{};:#<>]+')


def label(text: str, limit: int = 40) -> str:
    """A label safe inside a quoted Mermaid string."""
    clean = _UNSAFE.sub(" ", text).strip() or "?"
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _num(value: float) -> str:
    if not math.isfinite(value):
        return "0"
    return f"{value:.6g}"


def block(body: str) -> str:
    return f"```mermaid\n{body.rstrip()}\n```\n"


def pie(title: str, slices: Sequence[tuple[str, float]]) -> str:
    """A pie chart; zero and negative slices are left out; empty when nothing is left."""
    rows = [(label(n), v) for n, v in slices if math.isfinite(v) and v > 0][:MAX_POINTS]
    if not rows:
        return ""
    body = [f"pie showData title {label(title, 80)}"]
    body += [f'    "{n}" : {_num(v)}' for n, v in rows]
    return block("\n".join(body))


def bar(title: str, labels: Sequence[str], values: Sequence[float], y_title: str = "") -> str:
    """A bar chart (``xychart-beta``), at most 40 bars; empty when there is nothing to show."""
    pairs = list(zip(labels, values, strict=False))[:MAX_POINTS]
    if not pairs:
        return ""
    names = ", ".join(f'"{label(n, 24)}"' for n, _ in pairs)
    nums = ", ".join(_num(v) for _, v in pairs)
    top = max((v for _, v in pairs if math.isfinite(v)), default=0.0)
    axis = f'"{label(y_title, 40)}" ' if y_title.strip() else ""
    body = [
        "xychart-beta",
        f'    title "{label(title, 80)}"',
        f"    x-axis [{names}]",
        f"    y-axis {axis}0 --> {_num(top * 1.1 if top > 0 else 1)}",
        f"    bar [{nums}]",
    ]
    return block("\n".join(body))
