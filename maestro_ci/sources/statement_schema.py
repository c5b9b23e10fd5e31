"""Validate in-toto statements against the JSON Schemas shipped in ``maestro_ci/schemas/``.

The in-toto Statement v1 and SLSA provenance v1 schemas are written by hand
from their specifications (copies live in ``schemas/``, kept equal by a
test); the decisions schema is generated from its pydantic model.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from maestro_ci.errors import InputError
from maestro_ci.provenance_models import (
    DECISIONS_PREDICATE_TYPE,
    SLSA_PREDICATE_TYPE,
    DecisionsPredicate,
)

STATEMENT_SCHEMA = "in-toto-statement-v1"
SLSA_SCHEMA = "slsa-provenance-v1"


@functools.cache
def packaged_schema(name: str) -> dict[str, Any]:
    text = resources.files("maestro_ci").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _import_jsonschema() -> Any:
    """``jsonschema``, without the optional IRI format checker (``rfc3987_syntax``).

    That optional package builds a grammar at import time (seconds); statements never use
    IRI formats, and we validate without format checking, so it is kept out.
    """
    from maestro_ci.sources.yamlfile import jsonschema_module

    return jsonschema_module()


@functools.cache
def _validator(name: str) -> Any:
    Draft202012Validator = _import_jsonschema().Draft202012Validator

    if name == "maestro-decisions":
        schema: dict[str, Any] = DecisionsPredicate.model_json_schema(mode="validation")
    else:
        schema = packaged_schema(name)
    return Draft202012Validator(schema)


def _where(path: Any) -> str:
    parts = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return "$" + parts


def schema_problems(doc: Any, name: str) -> list[str]:
    """Every place ``doc`` breaks schema ``name``, as ``$.json.path: message``, sorted."""
    errors = _validator(name).iter_errors(doc)
    return sorted(f"{_where(e.absolute_path)}: {e.message}" for e in errors)


def validate_statement(doc: Any, file: str) -> None:
    """Check a statement and its predicate; raise :class:`InputError` naming the first problem."""
    problems = schema_problems(doc, STATEMENT_SCHEMA)
    if not problems:
        kind = doc.get("predicateType")
        name = {SLSA_PREDICATE_TYPE: SLSA_SCHEMA, DECISIONS_PREDICATE_TYPE: "maestro-decisions"}.get(kind)
        if name is not None:
            problems = ["$.predicate" + p[1:] for p in schema_problems(doc.get("predicate", {}), name)]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(
            f"not a valid in-toto statement: {problems[0]}{more}",
            file=file,
            fix="regenerate it with 'maestro-ci provenance'",
        )
