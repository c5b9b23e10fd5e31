"""Find every ``SCHEMA_EXPORTS`` in maestro_ci: name -> pydantic model (used by the generator and a test)."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

import maestro_ci


def collect() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in sorted(pkgutil.walk_packages(maestro_ci.__path__, "maestro_ci."), key=lambda i: i.name):
        if info.name.endswith(("pytest_plugin", "__main__")):
            continue
        module = importlib.import_module(info.name)
        exports = getattr(module, "SCHEMA_EXPORTS", None)
        if isinstance(exports, dict):
            for name, model in exports.items():
                if name in found and found[name] is not model:
                    raise SystemExit(f"schema name {name!r} exported twice ({info.name})")
                found[name] = model
    return dict(sorted(found.items()))


def schema_of(name: str, model: type[BaseModel]) -> dict[str, object]:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://maestro-ci.dev/schemas/{name}.schema.json",
        **schema,
    }
