"""Small pure pieces: the public-API reader, base outcomes, gate computation failures."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.jobs.evals_api import ApiParseError, compare, public_api
from maestro_ci.jobs.evals_requirements import base_outcome, is_test_file
from maestro_ci.sources import eval_gates


def test_public_api_reads_all_signatures_and_methods() -> None:
    src = "import os\n__all__ = ['a', 'B', 'gone']\ndef a(x, *, y=1) -> int: ...\nclass B(object):\n    def m(self): ...\n    def _p(self): ...\n    async def n(self, z): ...\ndef c(): ...\n"
    api = public_api(src)
    assert api == {
        "a": "def a(x, *, y=1) -> int",
        "B": "class B(object)",
        "B.m": "def m(self)",
        "B.n": "async def n(self, z)",
        "gone": "re-export",
    }
    no_all = public_api("X = 1\n_y = 2\ndef f(a): ...\nclass _H: ...\n")
    assert no_all == {"X": "variable", "f": "def f(a)"}
    assert compare({"a": "1", "b": "2"}, {"a": "3", "c": "4"}) == (["b"], ["a"], ["c"])
    assert public_api("__all__ = [name for name in 'ab']\ndef f(): ...\n") == {"f": "def f()"}
    with pytest.raises(ApiParseError, match="does not parse"):
        public_api("def (:\n", "m.py")


def test_base_outcome_counts_collection_errors() -> None:
    base = {"tests.test_a": "error", "tests/test_b.py::test_x": "failed"}
    assert base_outcome("tests/test_a.py::test_new", base) == "error"
    assert base_outcome("tests/test_b.py::test_x", base) == "failed"
    assert base_outcome("tests/test_c.py::test_y", base) is None
    assert (
        is_test_file("tests/helpers.py") and is_test_file("pkg/foo_test.py") and not is_test_file("pkg/a.py")
    )


def test_gate_compute_failures(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path)}
    with pytest.raises(eval_gates.GateUnavailable, match="no command"):
        eval_gates.compute([], "a", "b", tmp_path, env, 5)
    slow = tmp_path / "slow-gate"
    slow.write_text("#!/bin/sh\nexec sleep 5\n")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(eval_gates.GateUnavailable, match=r"timed out after 0\.3 s"):
        eval_gates.compute(
            ["slow-gate"], "a", "b", tmp_path, {**env, "PATH": f"{tmp_path}{os.pathsep}/bin:/usr/bin"}, 0.3
        )
    assert eval_gates.read_recorded(tmp_path, "risk") is None


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["details", "report", "scenarios", "threshold", "id", "score"]), inner, max_size=3
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_json)
def test_random_baselines_load_or_explain(tmp_path: Path, doc: object) -> None:
    from maestro_ci.commands.evals import load_baseline
    from maestro_ci.errors import InputError

    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        report = load_baseline(path)
    except InputError as exc:
        assert exc.file == str(path) or str(path) in exc.diagnostics()
    else:
        assert report.threshold is not None
