"""Durations as people write them: ``250ms``, ``30s``, ``5m``, ``1h30m``, ``2d``.

A bare number is seconds. Negative, empty and unit-less garbage are refused with a
message saying what is accepted.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
MAX_SECONDS = 366 * 86400.0
HINT = "write a duration such as 500ms, 30s, 5m, 1h or 1h30m"


def parse_duration(text: str | float, what: str = "duration") -> float:
    """Seconds in ``text``; raises ``ValueError`` with a readable message."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"{what} {text!r} is not a duration: {HINT}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = text.strip()
        if raw.startswith("-"):
            raise ValueError(f"{what} {text!r} is negative: {HINT}")
        try:
            seconds = float(raw)
        except ValueError:
            seconds = _parse_units(raw, text, what)
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"{what} {text!r} is negative or not a number: {HINT}")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{what} {text!r} is longer than a year: {HINT}")
    return seconds


def _parse_units(raw: str, text: str, what: str) -> float:
    pos = 0
    total = 0.0
    while pos < len(raw):
        match = _PART.match(raw, pos)
        if not match:
            raise ValueError(f"{what} {text!r} cannot be read at character {pos + 1}: {HINT}")
        total += float(match.group(1)) * _UNIT[match.group(2)]
        pos = match.end()
    if not raw:
        raise ValueError(f"{what} is empty: {HINT}")
    return total


def format_duration(seconds: float) -> str:
    """Compact text for a duration (``1m30s``, ``250ms``)."""
    if seconds < 1 and seconds != 0:
        return f"{seconds * 1000:g}ms"
    whole = int(seconds)
    if whole != seconds:
        return f"{seconds:g}s"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size:
            out += f"{whole // size}{unit}"
            whole %= size
    if whole or not out:
        out += f"{whole}s"
    return out


def prometheus_duration(seconds: float) -> str:
    """A duration in Prometheus' syntax (whole seconds or ms)."""
    if seconds != int(seconds):
        return f"{round(seconds * 1000)}ms"
    return format_duration(seconds)


DURATION_SCHEMA = {
    "anyOf": [{"type": "string", "minLength": 1}, {"type": "number", "minimum": 0}],
    "description": "A duration: 500ms, 30s, 5m, 1h30m (a bare number is seconds).",
}
Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(DURATION_SCHEMA)]
