"""Pure parts: complexity, import graph, formula, fix detection, rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from maestro_ci.jobs import complexity
from maestro_ci.jobs.risk import Signal, normalise, score_signals
from maestro_ci.jobs.risk_features import is_fix
from maestro_ci.sections.risk import RiskSection
from maestro_ci.sources.importgraph import build_graph
from maestro_ci.sources.szz import is_meaningful


def test_cyclomatic_complexity_counts_decisions() -> None:
    src = (
        "class A:\n"
        "    def m(self, x):\n"
        "        try:\n"
        "            return [i for i in x if i if i > 1]\n"
        "        except ValueError:\n"
        "            return 1 if x else 2\n"
        "        def inner():\n"
        "            while True:\n"
        "                pass\n"
        "async def f(y):\n"
        "    match y:\n"
        "        case 1: return 1\n"
        "        case _: return 2\n"
    )
    funcs = {f.name: f.complexity for f in complexity.functions(src)}
    assert funcs == {"A.m": 1 + 3 + 1 + 1, "A.m.inner": 2, "f": 3}
    assert complexity.functions("def (") == []
    assert complexity.delta({}, {}) is None
    assert complexity.delta({"a": 4}, {"a": 2}) == (-0.5, 4, 2)
    assert complexity.delta({"a": 1}, {"a": 9})[0] == 1.0


def test_import_graph(tmp_path: Path) -> None:
    (tmp_path / "src" / "lib" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "lib" / "__init__.py").write_text("from .core import x\n")
    (tmp_path / "src" / "lib" / "core.py").write_text("x = 1\n")
    (tmp_path / "src" / "lib" / "sub" / "__init__.py").write_text("")
    (tmp_path / "src" / "lib" / "sub" / "leaf.py").write_text("def f():\n    from ..core import x\n")
    (tmp_path / "app.py").write_text("import lib.sub.leaf\nimport os\n")
    (tmp_path / "broken.py").write_text("def (\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "junk.py").write_text("import app\n")
    graph = build_graph(tmp_path)
    assert graph.modules["lib.core"] == "src/lib/core.py"
    assert ".venv.junk" not in graph.modules and "junk" not in graph.modules
    # importing a submodule runs its parent packages' __init__ too, so parents are edges
    assert graph.imports["lib.sub.leaf"] == frozenset({"lib.core", "lib.sub", "lib"})
    assert graph.imports["lib"] == frozenset({"lib.core"})
    assert graph.imports["app"] == frozenset({"lib.sub.leaf", "lib.sub", "lib"})
    assert graph.imports["broken"] == frozenset()
    assert graph.module_of("src/lib/core.py") == "lib.core"
    assert graph.module_of("nope.py") is None
    assert {"lib", "lib.sub.leaf", "app"} <= graph.importers_of({"lib.core"})
    assert "broken" not in graph.importers_of({"lib.core"})


def test_weights_are_redistributed_over_measured_signals() -> None:
    signals = [
        Signal("lines_changed", 400, "x"),
        Signal("centrality", None, missing="none"),
        Signal("complexity_delta", -1.0, "y"),
    ]
    score, scored = score_signals(signals, RiskSection())
    weights = {s.signal.name: s.weight for s in scored}
    assert weights["centrality"] == 0
    assert weights["lines_changed"] == pytest.approx(0.10 / 0.22)
    assert score == pytest.approx(round(0.5 * 0.10 / 0.22, 3))
    assert normalise("complexity_delta", 0.0, 1.0) == 0.5
    assert normalise("static_alerts", 50, 10) == 1.0
    assert normalise("static_alerts", 1, 0) == 1.0


def test_fix_detection() -> None:
    kw = RiskSection().fix_keywords
    assert is_fix("Fix crash on empty cart", kw)
    assert is_fix("Handle None (closes #12)", kw)
    assert is_fix("Bugfix: wrong total", kw)
    assert not is_fix("Add discount codes", kw)
    assert not is_fix("Prefix the names", kw)


def test_meaningful_lines() -> None:
    assert not is_meaningful("   ")
    assert not is_meaningful("    # just a comment")
    assert is_meaningful("x = 1  # set")


def test_empty_render() -> None:
    from maestro_ci.models import GateResult
    from maestro_ci.render.sections.risk import render

    assert render(GateResult(gate="risk", status="pass")) == ""
