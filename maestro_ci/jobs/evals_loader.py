"""Loading eval scenario files: a fast path for valid files, clear messages for the rest.

Valid files are read with libyaml and validated by the strict pydantic model; any
problem re-reads the file with line numbers and the JSON Schema so the message names
the file, the line, the JSON path and the fix. ``load_suite`` rejects duplicate ids.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError, did_you_mean
from maestro_ci.jobs.evals_check_models import CATEGORIES, CHECK_TYPES, StructuredRequirements
from maestro_ci.jobs.evals_model import BARE_PREDICATES, SENTENCES, Scenario, check_weights, predicate_of


def load_scenario(path: Path) -> Scenario:
    """Read and fully validate one scenario file (InputError on any problem).

    A valid file takes the fast path (libyaml, then the strict pydantic model); any
    problem re-reads it with line numbers and the JSON Schema, for a message that names
    the line, the path and the fix.
    """
    from maestro_ci.sources.yamlfile import load_document, validate_document

    fast = _fast_load(path)
    if fast is not None:
        return fast
    doc = load_document(path, "eval scenario")
    _check_types(doc)
    scenario = validate_document(doc, Scenario, _schema("scenario"))
    _check_semantics(scenario, doc)
    return scenario


class _NoLines:
    def __init__(self, file: str) -> None:
        self.file = file

    def line_of(self, _: tuple[str | int, ...]) -> int | None:
        return None


def _fast_load(path: Path) -> Scenario | None:
    """The scenario when everything is valid, else None (the slow path explains)."""
    import yaml
    from pydantic import ValidationError

    from maestro_ci.sources.store import read_text

    try:
        data = yaml.load(
            read_text(path, "eval scenario"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (yaml.YAMLError, InputError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        return None
    if any(not isinstance(c, dict) or str(c.get("type")) not in CHECK_TYPES for c in data["checks"]):
        return None
    try:
        scenario = Scenario.model_validate(data, strict=True)
        _check_semantics(scenario, _NoLines(str(path)))
    except (ValidationError, InputError):
        return None
    return scenario


def _place(doc: Any, *path: str | int) -> str | None:
    line = doc.line_of(path)
    return f"line {line}" if line else None


def _check_types(doc: Any) -> None:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list):
        return
    for i, check in enumerate(data["checks"]):
        if not isinstance(check, dict):
            continue
        kind = check.get("type")
        if kind is None:
            raise InputError(
                f"at $.checks[{i}]: a check needs a 'type'",
                file=doc.file,
                place=_place(doc, "checks", i),
                fix=f"add 'type:' with one of: {', '.join(sorted(CHECK_TYPES))}",
            )
        if not isinstance(kind, str) or kind not in CHECK_TYPES:
            hint = did_you_mean(str(kind), CHECK_TYPES)
            raise InputError(
                f"at $.checks[{i}].type: unknown check type '{kind}'" + (f", {hint}" if hint else ""),
                file=doc.file,
                place=_place(doc, "checks", i, "type"),
                fix=f"use one of: {', '.join(sorted(CHECK_TYPES))}",
            )
        _check_fields(doc, i, check, kind)


@functools.cache
def _schema(kind: str) -> dict[str, Any]:
    from maestro_ci.jobs.evals_check_models import MODELS

    model = Scenario if kind == "scenario" else MODELS[kind]
    return model.model_json_schema()


def _check_fields(doc: Any, index: int, check: dict[str, Any], kind: str) -> None:
    """Validate one check against its own type's schema (clearer than the union's errors)."""
    from maestro_ci.sources.yamlfile import Document, schema_errors

    prefix = ("checks", index)
    lines = {k[2:]: v for k, v in doc.lines.items() if k[:2] == prefix}
    errors = schema_errors(Document(doc.file, check, lines), _schema(kind))
    if errors:
        first = errors[0]
        first.message = first.message.replace("at $", f"at $.checks[{index}]", 1)
        raise first


def _check_semantics(scenario: Scenario, doc: Any) -> None:
    for i, check in enumerate(scenario.checks):
        if isinstance(check, StructuredRequirements):
            for j, item in enumerate(check.require):
                try:
                    predicate_of(item)
                except KeyError:
                    known = sorted({*SENTENCES, *BARE_PREDICATES})
                    raise InputError(
                        f"at $.checks[{i}].require[{j}]: unknown requirement {item if isinstance(item, str) else 'mapping'!r}",
                        file=doc.file,
                        place=_place(doc, "checks", i, "require", j),
                        fix="use one of: "
                        + "; ".join(repr(k) for k in known)
                        + "; or a mapping {touches_only: [globs]} / {docs_updated_for: [globs]}",
                    ) from None
    ids = [c.id for c in scenario.checks if c.id]
    names = {*ids, *CHECK_TYPES, *CATEGORIES}
    for key in scenario.scoring:
        if key not in names:
            hint = did_you_mean(key, names)
            raise InputError(
                f"at $.scoring.{key}: '{key}' names no check id, check type or category"
                + (f", {hint}" if hint else ""),
                file=doc.file,
                place=_place(doc, "scoring", key),
                fix=f"use a check id, a check type or one of: {', '.join(CATEGORIES)}",
            )
        if scenario.scoring[key] < 0:
            raise InputError(
                f"at $.scoring.{key}: weight {scenario.scoring[key]} is negative",
                file=doc.file,
                place=_place(doc, "scoring", key),
                fix="use a weight of 0 or more",
            )
    weights = check_weights(scenario)
    if sum(weights) <= 0:
        raise InputError(
            "all check weights are zero: the score would be undefined",
            file=doc.file,
            place=_place(doc, "scoring") or _place(doc, "checks"),
            fix="give at least one check a positive weight",
        )
    if scenario.scoring:
        for i, (check, weight) in enumerate(zip(scenario.checks, weights, strict=True)):
            if weight == 0 and check.weight is None and not _named(scenario, check):
                raise InputError(
                    f"at $.checks[{i}]: the {check.type} check has no weight: `scoring` names neither "
                    f"its id, its type nor its category '{CHECK_TYPES[check.type]}'",
                    file=doc.file,
                    place=_place(doc, "checks", i),
                    fix="add its category or type to `scoring`, or give it `weight:`",
                )


def _named(scenario: Scenario, check: Any) -> bool:
    keys = scenario.scoring
    return bool(
        (check.id and check.id in keys)
        or check.type in keys
        or (check.category or CHECK_TYPES[check.type]) in keys
    )


def load_suite(folder: Path) -> list[tuple[Path, Scenario]]:
    """Every scenario under ``folder`` (sorted); duplicate ids name both files."""
    if not folder.is_dir():
        raise InputError(
            "scenario folder not found", file=str(folder), fix="create it, or set evals.dir in .maestro.yml"
        )
    seen: dict[str, Path] = {}
    out: list[tuple[Path, Scenario]] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()):
        scenario = load_scenario(path)
        if scenario.id in seen:
            raise InputError(
                f"duplicate scenario id '{scenario.id}': also in {seen[scenario.id]}",
                file=str(path),
                fix="give each scenario its own id (bump the @vN or rename it)",
            )
        seen[scenario.id] = path
        out.append((path, scenario))
    return out
