from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from maestro_ci.models import GateResult, Location, Reason, Status

ROOT = Path(__file__).resolve().parent.parent


def test_a_block_must_say_why() -> None:
    with pytest.raises(ValidationError, match="gives no reason"):
        GateResult(gate="policy", status=Status.FAIL)


def test_models_are_frozen_and_forbid_extra() -> None:
    result = GateResult(gate="x", status=Status.PASS)
    with pytest.raises(ValidationError):
        result.gate = "y"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        GateResult.model_validate({"gate": "x", "status": "pass", "surprise": 1})


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        ([], Status.PASS),
        ([Status.PASS, Status.WARN], Status.WARN),
        ([Status.FAIL, Status.ERROR], Status.ERROR),
    ],
)
def test_worst_status(statuses: list[Status], worst: Status) -> None:
    assert Status.worst(statuses) is worst


def test_exit_codes_follow_status() -> None:
    reason = [Reason(code="c", message="m")]
    assert GateResult(gate="g", status=Status.PASS).exit_code == 0
    assert GateResult(gate="g", status=Status.WARN, reasons=reason).exit_code == 0
    assert GateResult(gate="g", status=Status.FAIL, reasons=reason).exit_code == 1
    assert GateResult(gate="g", status=Status.ERROR, reasons=reason).exit_code == 3


def test_location_str() -> None:
    assert str(Location(file="a.py", line=3, column=2)) == "a.py:3:2"
    assert str(Location(file="a.py")) == "a.py"


def test_schemas_in_repository_equal_the_models() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from schema_registry import collect, schema_of

    exported = collect()
    assert {"gate-result", "run-record", "maestro-config"} <= set(exported)
    on_disk = {p.name.removesuffix(".schema.json") for p in (ROOT / "schemas").glob("*.schema.json")}
    generated = set(exported)
    assert generated <= on_disk, f"run 'make schemas': missing {sorted(generated - on_disk)}"
    for name, model in exported.items():
        disk = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert disk == schema_of(name, model), f"schemas/{name}.schema.json is stale: run 'make schemas'"


def test_config_docs_are_generated_from_the_schema() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_config_docs import render

    schema = json.loads((ROOT / "schemas" / "maestro-config.schema.json").read_text(encoding="utf-8"))
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == render(schema), (
        "docs/configuration.md is stale: run 'make schemas'"
    )
