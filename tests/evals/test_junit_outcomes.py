"""JUnit outcomes for the evals gate (``sources/junit.read_outcomes``): worst outcome wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.sources.junit import read_outcomes

XML = """<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
  <testcase classname="tests.test_a" name="test_ok"/>
  <testcase classname="tests.test_a.TestX" name="test_bad[1]"><failure message="x"/></testcase>
  <testcase classname="tests.test_a" name="test_err"><error message="x"/></testcase>
  <testcase classname="tests.test_a" name="test_skip"><skipped/></testcase>
  <testcase classname="tests.test_a" name="test_twice"/>
  <testcase classname="tests.test_a" name="test_twice"><failure/></testcase>
  <testcase classname="x" name="test_f" file="sub/test_f.py"/>
</testsuite></testsuites>
"""


def test_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text(XML, encoding="utf-8")
    assert read_outcomes([path]) == {
        "tests/test_a.py::test_ok": "passed",
        "tests/test_a.py::TestX::test_bad[1]": "failed",
        "tests/test_a.py::test_err": "error",
        "tests/test_a.py::test_skip": "skipped",
        "tests/test_a.py::test_twice": "failed",
        "sub/test_f.py::test_f": "passed",
    }


def test_single_suite_root_and_node_ids(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text('<testsuite><testcase classname="t" name="n"/></testsuite>', encoding="utf-8")
    # a bare classname names no file, so the id keeps it as written
    assert read_outcomes([path]) == {"t::n": "passed"}


def test_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite><testcase classname="&a;" name="n"/></testsuite>'
    )
    with pytest.raises(InputError, match="unsafe XML refused"):
        read_outcomes([path])
    with pytest.raises(InputError, match="not found"):
        read_outcomes([tmp_path / "absent.xml"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=60), st.builds(lambda s: f"<testsuite>{s}</testsuite>", st.text(max_size=40))
    )
)
def test_random_input_parses_or_explains(tmp_path: Path, text: str) -> None:
    path = tmp_path / "r.xml"
    path.write_text(text, encoding="utf-8")
    try:
        outcomes = read_outcomes([path])
    except InputError as exc:
        assert exc.file == str(path)
    else:
        assert all(v in ("passed", "failed", "error", "skipped") for v in outcomes.values())
