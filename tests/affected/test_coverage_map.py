"""Coverage map files: validation, merging, precise decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.affected_precise import Fallback, PreciseHit, select_precise
from maestro_ci.sources.coverage_map import CoverageMap, MapFile, load_map, merge_maps
from maestro_ci.sources.diff_lines import parse_old_lines

BLOB = "a" * 40


def cmap(
    tests: list[str], lines: dict[str, list[int]], imports: list[int] | None = None, commit: str = "c1"
) -> CoverageMap:
    return CoverageMap(
        repository="r",
        commit=commit,
        tests=tests,
        files={"m.py": MapFile(blob=BLOB, lines=lines, import_lines=imports or [])},
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a maestro-ci coverage map"),
        ('{"kind": "maestro-ci/affected-map", "schema_version": 9}', "schema_version 9"),
        ('{"kind": "maestro-ci/affected-map", "schema_version": 1}', "invalid at repository"),
        (
            '{"kind": "maestro-ci/affected-map", "schema_version": 1, "repository": "r", "commit": "c", "tests": [],'
            f' "files": {{"m.py": {{"blob": "{BLOB}", "lines": {{"1": [3]}}}}}}}}',
            "refers to tests it does not list",
        ),
    ],
)
def test_bad_maps_are_input_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_map(path)


def test_missing_map(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_map(tmp_path / "nope.json")


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=5), c),
        max_leaves=20,
    )
)
def test_random_json_never_crashes(tmp_path_factory: pytest.TempPathFactory, data: object) -> None:
    path = tmp_path_factory.mktemp("m") / "map.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError):
        load_map(path)


def test_merge_is_deterministic_and_refuses_mixed_commits() -> None:
    a = cmap(["t::b"], {"5": [0]})
    b = cmap(["t::a"], {"5": [0], "6": [0]}, imports=[1])
    ab, ba = merge_maps([("a", a), ("b", b)]), merge_maps([("b", b), ("a", a)])
    assert ab.model_dump() == ba.model_dump()
    assert ab.tests == ["t::a", "t::b"] and ab.files["m.py"].lines == {"5": [0, 1], "6": [0]}
    with pytest.raises(InputError, match="recorded at"):
        merge_maps([("a", a), ("c", cmap([], {}, commit="c2"))])
    with pytest.raises(InputError, match="no coverage map"):
        merge_maps([])


SOURCE = "X = 1\n\n\ndef f(a):\n    b = (a +\n         1)\n    return b\n\n\ndef g():\n    return 2\n"


def test_precise_function_granularity_and_fallbacks() -> None:
    m = cmap(["t::f", "t::g"], {"5": [0], "7": [0], "11": [1]}, imports=[1, 4, 10])
    hit = select_precise("m.py", SOURCE, {6}, m)
    assert isinstance(hit, PreciseHit) and hit.tests == {"t::f"} and hit.functions == ("f",)
    assert isinstance(select_precise("m.py", SOURCE, {1}, m), Fallback)
    assert isinstance(select_precise("m.py", SOURCE, {4}, m), Fallback)  # the def line
    assert isinstance(select_precise("other.py", SOURCE, {6}, m), Fallback)
    shared = CoverageMap(
        repository="r",
        commit="c",
        tests=["t::f"],
        files={"m.py": MapFile(blob=BLOB, lines={"5": [0]}, shared_lines=[5])},
    )
    assert "shared between tests" in select_precise("m.py", SOURCE, {6}, shared).reason  # type: ignore[union-attr]
    at_import = cmap(["t::f"], {"5": [0]}, imports=[1, 4, 5, 10])
    assert "import time" in select_precise("m.py", SOURCE, {6}, at_import).reason  # type: ignore[union-attr]


def test_old_side_lines_pin_insertions() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -5,2 +5,3 @@\n@@ -9,0 +11,2 @@\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n"
    assert parse_old_lines(diff) == {"m.py": {5, 6, 9, 10}}
