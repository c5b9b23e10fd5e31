"""What every metric source returns, and how it fails; no I/O here.

A source answers with :class:`Probe` (the value, the query as sent, a short raw
excerpt) or raises :class:`ProbeError`. ``unreachable`` marks a source that did not
answer at all (refused, timed out, 5xx): the loop retries those with backoff, and a
gate that ends on them has no verdict (exit 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Number = float
Value = float | list[float] | None  # None: no data


@dataclass(frozen=True)
class Probe:
    value: Value
    resolved: str
    raw: str = ""
    no_data: str = ""  # why there is no data (empty vector, JSON path matched nothing...)
    extra: dict[str, object] = field(default_factory=dict)


class ProbeError(Exception):
    def __init__(self, message: str, unreachable: bool = False, retry: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.unreachable = unreachable
        self.retry = unreachable if retry is None else retry


def to_number(value: object, what: str) -> float:
    """A JSON value as a float: numbers, numeric strings ("NaN", "+Inf" as Prometheus writes them)."""
    if isinstance(value, bool):
        raise ProbeError(f"{what} is a boolean ({value}), not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ProbeError(f"{what} is not a number: {excerpt(value)}")


def to_value(value: object, what: str) -> Value:
    """A JSON value as a measurement: a number, or a list of numbers."""
    if value is None:
        return None
    if isinstance(value, list):
        return [to_number(v, f"{what}[{i}]") for i, v in enumerate(value)]
    return to_number(value, what)


def excerpt(value: object, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_nan(value: Value) -> bool:
    if isinstance(value, list):
        return bool(value) and all(math.isnan(v) for v in value)
    return value is not None and math.isnan(value)
