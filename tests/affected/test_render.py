"""Renderers of the affected result: text, lines, pytest-args, the summary section."""

from __future__ import annotations

from typing import Any

from maestro_ci.commands.affected import describe, render_lines, render_pytest_args, render_text
from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.render.sections.affected import render


def result(**details: Any) -> GateResult:
    base: dict[str, Any] = {
        "mode": "auto",
        "effective_mode": "precise",
        "range": {"base": "main", "head": "HEAD", "source": "flags", "reason": "given"},
        "run_all": False,
        "observe": False,
        "triggers": [],
        "selected": [],
        "total_known": 3,
        "fallbacks": {},
        "map": "",
    }
    base.update(details)
    reasons = [Reason(code=t["code"], message=t["message"], severity=Status.PASS) for t in base["triggers"]]
    return GateResult(gate="affected", status=Status.PASS, summary="s", reasons=reasons, details=base)


def test_run_all_renders_everywhere() -> None:
    trig = [{"code": "affected.trigger-file", "file": "tox.ini", "message": "tox.ini changed"}]
    r = result(run_all=True, triggers=trig)
    assert render_lines(r) == "" and render_pytest_args(r) == "\n"
    assert "run all: tox.ini changed" in render_text(r)
    assert "**Running all tests** because:" in render(r) and "tox.ini changed" in render(r)


def test_selection_table_with_fallbacks_and_observe() -> None:
    selected = [
        {
            "test": f"tests/test_{i}.py::t[a b]",
            "why": [{"kind": "coverage", "changed": "m.py", "via": ["f()"]}],
        }
        for i in range(55)
    ]
    r = result(
        selected=selected, fallbacks={"m.py": "line 1 runs at import time"}, observe=True, map="map ok"
    )
    md = render(r)
    assert "Observation mode" in md and "5 more in the JSON result" in md and "Static fallback" in md
    assert render_pytest_args(r).startswith("'tests/test_0.py::t[a b]'")
    text = render_text(r)
    assert "static for m.py: line 1 runs at import time" in text and "map: map ok" in text
    assert render(result()).endswith("No test selected: the change reaches no test.\n")


def test_every_reason_kind_is_described() -> None:
    kinds = [
        "import",
        "conftest",
        "coverage",
        "folder",
        "map",
        "doctest",
        "unparsable",
        "opaque",
        "stale-map",
        "changed",
    ]
    texts = {describe({"kind": k, "changed": "x.py", "via": ["a", "b"]}) for k in kinds}
    assert len(texts) == len(kinds)
