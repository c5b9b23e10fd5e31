"""Static-analysis findings from SARIF 2.1.0 files and ``ruff check --output-format json``.

SARIF is validated against the official OASIS SARIF 2.1.0 JSON Schema, stored
unchanged at ``maestro_ci/data/sarif-2.1.0.schema.json``. Ruff's JSON output
has no published schema; a small pydantic model checks the fields we read.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from maestro_ci.errors import InputError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "sarif-2.1.0.schema.json"


@dataclass(frozen=True)
class Alert:
    path: str  # repository-relative when it lies in the repository
    line: int | None
    rule: str
    message: str
    tool: str


@functools.cache
def _sarif_validator() -> Any:
    from maestro_ci.sources.yamlfile import jsonschema_module

    Draft202012Validator = jsonschema_module().Draft202012Validator
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _load_json(path: Path, what: str) -> Any:
    from maestro_ci.sources.store import read_json

    return read_json(path, what)


def _relative(uri: str, root: Path) -> str:
    parsed = urlparse(uri)
    text = unquote(parsed.path) if parsed.scheme in ("file", "") else uri
    if parsed.scheme == "" and not text.startswith("/"):
        return PurePosixPath(text).as_posix().removeprefix("./")
    try:
        return Path(text).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return text


def load_sarif(path: Path, root: Path) -> list[Alert]:
    doc = _load_json(path, "SARIF file")
    errors = sorted(_sarif_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise InputError(
            f"not a valid SARIF 2.1.0 file: {first.message[:200]}",
            file=str(path),
            place=f"at {where}",
            fix="pass SARIF 2.1.0 output of your analyser (it must validate against the OASIS schema)",
        )
    alerts: list[Alert] = []
    for run in doc.get("runs", []):
        tool = str(run.get("tool", {}).get("driver", {}).get("name", "sarif"))
        for result in run.get("results") or []:
            rule = str(result.get("ruleId") or result.get("rule", {}).get("id", "") or "")
            message = str(result.get("message", {}).get("text", "") or "")
            for loc in result.get("locations") or [{}]:
                phys = loc.get("physicalLocation", {})
                uri = phys.get("artifactLocation", {}).get("uri")
                if not uri:
                    continue
                line = phys.get("region", {}).get("startLine")
                alerts.append(Alert(_relative(str(uri), root), line, rule, message, tool))
    return alerts


def load_ruff(path: Path, root: Path) -> list[Alert]:
    from pydantic import BaseModel, ConfigDict, ValidationError

    class RuffLocation(BaseModel):
        model_config = ConfigDict(extra="allow")
        row: int
        column: int

    class RuffDiagnostic(BaseModel):
        model_config = ConfigDict(extra="allow")
        code: str | None
        message: str
        filename: str
        location: RuffLocation

    doc = _load_json(path, "ruff JSON file")
    if not isinstance(doc, list):
        raise InputError(
            "not ruff JSON output: expected a list of diagnostics",
            file=str(path),
            fix="produce it with 'ruff check --output-format json > ruff.json'",
        )
    alerts: list[Alert] = []
    for index, item in enumerate(doc):
        try:
            diag = RuffDiagnostic.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(item)"
            raise InputError(
                f"not ruff JSON output: diagnostic {index}: {field}: {err['msg']}",
                file=str(path),
                place=f"item {index}",
                fix="produce it with 'ruff check --output-format json > ruff.json'",
            ) from exc
        rel = _relative(diag.filename, root)
        alerts.append(Alert(rel, diag.location.row, diag.code or "syntax", diag.message, "ruff"))
    return alerts


def read_fail_counts(path: Path) -> tuple[dict[str, tuple[int, int]] | None, str]:
    """``tests[nodeid].runs`` and ``.failed`` from the timing store, or None and why not."""
    if not path.is_file():
        return None, f"no timing store ({path.name} not found)"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, f"the timing store {path.name} is not readable JSON"
    tests = doc.get("tests") if isinstance(doc, dict) else None
    if not isinstance(tests, dict):
        return None, f"the timing store {path.name} has no 'tests' object"
    out: dict[str, tuple[int, int]] = {}
    for nodeid, entry in tests.items():
        if isinstance(entry, dict):
            runs, failed = entry.get("runs"), entry.get("failed")
            if isinstance(runs, int) and isinstance(failed, int) and runs > 0:
                out[str(nodeid)] = (runs, max(0, min(failed, runs)))
    if not out:
        return None, f"the timing store {path.name} records no runs/failed counts"
    return out, ""
