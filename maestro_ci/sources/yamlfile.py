"""YAML and JSON documents validated against a JSON Schema, with line numbers.

One loader for every YAML file maestro-ci reads (``.maestro.yml``, policy
rules, eval scenarios, health gates): ``safe_load`` only; errors name the file,
the line, the JSON path, what was expected and the fix, with a "did you mean"
for unknown keys.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from maestro_ci.errors import InputError, did_you_mean
from maestro_ci.sources.store import read_text

M = TypeVar("M", bound=BaseModel)
PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed document and the line of every value in it (1-based)."""

    file: str
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, path: PathKey) -> int | None:
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


def json_path(path: PathKey) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _index(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def parse_yaml_text(text: str, file: str) -> Document:
    """Parse YAML with ``safe_load`` and index the line of every key."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"invalid YAML: {problem}",
            file=file,
            place=place,
            fix="fix the YAML syntax at that place (indentation, quotes, a missing ':')",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=file, fix="fix the YAML syntax") from exc
    except RecursionError as exc:
        raise InputError("YAML is nested too deeply", file=file, fix="flatten the document") from exc
    lines: dict[PathKey, int] = {}
    if node is not None:
        _index(node, (), lines)
    return Document(file, data, lines)


def load_document(path: Path, what: str = "YAML file") -> Document:
    """Read a YAML (or JSON, a subset) file; empty and binary files are errors."""
    text = read_text(path, what)
    if not text.strip():
        raise InputError(f"{what} is empty", file=str(path), fix="write the document, or delete the file")
    return parse_yaml_text(text, str(path))


def _expected(error: Any) -> str:
    validator = error.validator
    value = error.validator_value
    if validator == "type":
        return f"expected {value}, got {type(error.instance).__name__}"
    if validator == "enum":
        return f"expected one of {', '.join(map(repr, value))}"
    return str(error.message)


def jsonschema_module() -> ModuleType:
    """``jsonschema``, imported without ``rfc3987_syntax``.

    When ``rfc3987-syntax`` is installed (``jsonschema[format]`` pulls it in, and the
    CycloneDX tooling asks for that extra), importing jsonschema compiles a Lark grammar for
    it: about two seconds on every command that validates a file. maestro-ci never checks
    ``format`` keywords, so the import is blocked while jsonschema loads, and unblocked after
    (anyone may still import rfc3987_syntax later).
    """
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", "") is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


@functools.lru_cache(maxsize=64)
def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema, generated once per process (models are frozen classes)."""
    return model.model_json_schema()


def schema_errors(doc: Document, schema: dict[str, Any]) -> list[InputError]:
    """Every schema violation as an :class:`InputError`, sorted by line."""
    jsonschema = jsonschema_module()
    validator = jsonschema.Draft202012Validator(schema)
    found: list[tuple[int, str, InputError]] = []
    for error in validator.iter_errors(doc.data):
        leaves = _leaf_errors(error)
        for leaf in leaves:
            path: PathKey = tuple(leaf.absolute_path)
            fix = "change the value to match the schema (see docs/configuration.md)"
            message = f"at {json_path(path)}: {_expected(leaf)}"
            if leaf.validator == "additionalProperties":
                allowed = sorted(leaf.schema.get("properties", {}))
                extra = (
                    [k for k in leaf.instance if k not in allowed] if isinstance(leaf.instance, dict) else []
                )
                for key in extra:
                    key_path = (*path, key)
                    hint = did_you_mean(str(key), allowed)
                    err = InputError(
                        f"at {json_path(key_path)}: unknown key '{key}'" + (f", {hint}" if hint else ""),
                        file=doc.file,
                        place=_place(doc, key_path),
                        fix=f"use one of: {', '.join(allowed)}" if allowed else "remove the key",
                    )
                    found.append((doc.line_of(key_path) or 0, json_path(key_path), err))
                continue
            if leaf.validator == "required":
                fix = "add the missing key"
            err = InputError(message, file=doc.file, place=_place(doc, path), fix=fix)
            found.append((doc.line_of(path) or 0, json_path(path), err))
    found.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in found]


def _leaf_errors(error: Any) -> list[Any]:
    """For anyOf/oneOf, report the branch closest to what the user wrote."""
    if error.context:
        best = jsonschema_module().exceptions.best_match(error.context)
        return _leaf_errors(best) if best is not None else [error]
    return [error]


def _place(doc: Document, path: PathKey) -> str | None:
    line = doc.line_of(path)
    return f"line {line}" if line else None


def validate_document(doc: Document, model: type[M], schema: dict[str, Any] | None = None) -> M:
    """Validate against the model's JSON Schema, then build the typed model.

    A document that passes the model in strict JSON mode (the same types the schema allows)
    is returned at once; only a failing one goes through jsonschema, whose errors name the
    line and JSON path. That keeps jsonschema out of every command whose files are valid.
    """
    if schema is None:
        try:
            return model.model_validate_json(json.dumps(doc.data), strict=True)
        except (TypeError, ValueError):
            pass  # not JSON-shaped (e.g. a YAML date) or invalid: the schema path explains
    schema = schema or model_schema(model)
    errors = schema_errors(doc, schema)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            first.message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        raise first
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise pydantic_error(exc, doc) from exc


def pydantic_error(exc: ValidationError, doc: Document) -> InputError:
    err = exc.errors()[0]
    path: PathKey = tuple(p for p in err["loc"] if isinstance(p, str | int))
    return InputError(
        f"at {json_path(path)}: {err['msg']}",
        file=doc.file,
        place=_place(doc, path),
        fix="correct the value (see the documentation of this file)",
    )


def load_model(path: Path, model: type[M], what: str) -> M:
    """Read, parse and validate a YAML/JSON file into ``model`` in one step."""
    return validate_document(load_document(path, what), model)
