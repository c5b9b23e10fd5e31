"""Model usage files: what automated agents spent on a change (JSON or JSONL records).

A file is either JSON (a list of records, or ``{"records": [...]}``) or JSON
Lines (one record per line, blank lines skipped). A record names the model and
its tokens and cost; common spellings (``input_tokens``, ``usd``) are accepted.
A bad record is reported with its number.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from maestro_ci.errors import InputError
from maestro_ci.sources.store import read_text

ALIASES = {
    "input_tokens": "prompt_tokens",
    "output_tokens": "completion_tokens",
    "usd": "cost_usd",
    "cost": "cost_usd",
}


class UsageRecord(BaseModel):
    """One model call (or a batch of ``calls``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    model: str = Field(min_length=1)
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    calls: int = Field(default=1, ge=0)


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"usage-record": UsageRecord}


def _record(raw: Any, number: int, file: str, line: int | None) -> UsageRecord:
    place = f"line {line}" if line else f"record {number}"
    if not isinstance(raw, dict):
        raise InputError(
            f"record {number} is {type(raw).__name__}, expected an object",
            file=file,
            place=place,
            fix='write records like {"model": "gpt-4o", "prompt_tokens": 1200, "cost_usd": 0.02}',
        )
    data = {ALIASES.get(k, k): v for k, v in raw.items()}
    for key in ("prompt_tokens", "completion_tokens", "calls", "cost_usd"):
        value = data.get(key)
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            data[key] = "invalid"
    try:
        return UsageRecord.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "record"
        raise InputError(
            f"record {number}: '{field}' {err['msg'].lower()}",
            file=file,
            place=place,
            fix="each record needs 'model' and non-negative token counts and cost",
        ) from exc


def parse_usage(text: str, file: str) -> list[UsageRecord]:
    """Parse JSON or JSONL usage text into records; any problem names the record."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped[0] in "[{" and not _looks_jsonl(stripped):
        try:
            data = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(
                f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}",
                file=file,
                place=f"line {getattr(exc, 'lineno', 1)}",
                fix="write a JSON list of records, or one JSON object per line (JSONL)",
            ) from exc
        if isinstance(data, dict) and isinstance(data.get("records"), list):
            data = data["records"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise InputError("expected a list of records", file=file, fix="write [ {...}, {...} ]")
        return [_record(raw, i + 1, file, None) for i, raw in enumerate(data)]
    records: list[UsageRecord] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(
                f"record {len(records) + 1} is not valid JSON",
                file=file,
                place=f"line {line_no}",
                fix="write one JSON object per line",
            ) from exc
        records.append(_record(raw, len(records) + 1, file, line_no))
    return records


def _looks_jsonl(text: str) -> bool:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
    except json.JSONDecodeError:
        return False
    return True


def load_usage(path: Path) -> list[UsageRecord]:
    return parse_usage(read_text(path, "usage file"), str(path))
