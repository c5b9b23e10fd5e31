from __future__ import annotations

from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.sources.junit_failures import failed_tests


def test_failed_ids_resolve_against_the_tree(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("", encoding="utf-8")
    junit = tmp_path / "j.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_a.TestX" name="test_y[1]"><failure/></testcase>'
        '<testcase classname="tests.test_a" name="test_err"><error/></testcase>'
        '<testcase classname="tests.test_a" name="test_ok"/>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert failed_tests([junit], tmp_path) == [
        "tests/test_a.py::TestX::test_y[1]",
        "tests/test_a.py::test_err",
    ]


def test_entities_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<testsuite><testcase classname="&b;" name="n"><failure/></testcase></testsuite>',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="EntitiesForbidden"):
        failed_tests([bomb], tmp_path)
