"""The parsers of the health gate: conditions, durations, JSON paths, gate files (with hypothesis)."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.durations import format_duration, parse_duration, prometheus_duration
from maestro_ci.jobs.health_expr import ConditionError, EvalError, parse_condition
from maestro_ci.jobs.health_model import load_gate
from maestro_ci.sources.jsonpath import PathError, select

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("result < 300", 250.0, True),
        ("result >= 0.85", 0.8, False),
        ("result[0] >= 0.85 && result[1] < 1", [0.9, 0.5], True),
        ("len(result) > 0", [], False),
        ("isNaN(result)", math.nan, True),
        ("!isNaN(result) and result == 1", 1.0, True),
        ("not (result > 1 or result < -1)", 0.5, True),
        ("isInf(result)", math.inf, True),
        ("abs(result - 10) <= 0.5", 10.4, True),
        ("max(result) < 3 && min(result) > 0 && avg(result) == 2 && sum(result) == 4", [1.0, 3.0], False),
        ("result * 2 / 4 + 1 - -1 == 2.5", 1.0, True),
        ("result[-1] == 3", [1.0, 3.0], True),
        ("result > 1", [2.0, 3.0], True),
        ("result > 1", [], False),
        ("result / 0 > 1e9", 1.0, True),
        ("true || false", 0.0, True),
        ("result != NaN", 1.0, True),
        ("result < Inf", 1e300, True),
    ],
)
def test_conditions(text: str, value: float | list[float], expected: bool) -> None:
    assert parse_condition(text).holds(value) is expected


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("result <", 9),
        ("result <<< 3", 9),
        ("result > 1 )", 12),
        ("foo(result) > 1", 1),
        ("result $ 1", 8),
        ("", 1),
        ("result > 1 > 2", 12),
        ("len(result > 1", 15),
        ("result[0 > 1", 13),
    ],
)
def test_condition_errors_show_the_column(text: str, column: int) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(text)
    assert info.value.column == column
    assert f"column {column}" in str(info.value) and "^" in str(info.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("result[5] > 1", [1.0]),
        ("result + 1 > 1", [1.0, 2.0]),
        ("min(result) > 1", []),
        ("result > 1", None),
        ("result", [1.0, 2.0]),
        ("result && true", [1.0, 2.0]),
    ],
)
def test_evaluation_errors(text: str, value: list[float] | None) -> None:
    with pytest.raises(EvalError):
        parse_condition(text).holds(value)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ConditionError, match="nested too deeply"):
        parse_condition("(" * 60 + "result" + ")" * 60 + " > 1")
    with pytest.raises(ConditionError, match="longer than"):
        parse_condition("result > 1 && " * 100 + "true")


@FAST
@given(st.text(max_size=80))
def test_condition_parser_never_crashes(text: str) -> None:
    try:
        cond = parse_condition(text)
    except ConditionError as exc:
        assert 1 <= exc.column <= len(text) + 1
        return
    with contextlib.suppress(EvalError, OverflowError):
        cond.holds(1.5)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_comparisons_agree_with_python(a: float, b: float) -> None:
    assert parse_condition(f"result <= {b!r}".replace("e+", "e")).holds(a) is (
        a <= float(f"{b!r}".replace("e+", "e"))
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1.5h", 5400),
        (" 10 ", 10),
        (7, 7),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["-5s", "5 minutes", "", "m", "5x", "1h-3m", "nan", "400d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@FAST
@given(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.booleans()))
def test_duration_parser_never_crashes(text: object) -> None:
    try:
        seconds = parse_duration(text)  # type: ignore[arg-type]
    except ValueError as exc:
        assert "duration" in str(exc)
    else:
        assert 0 <= seconds <= 366 * 86400


@FAST
@given(st.integers(min_value=0, max_value=10 * 86400))
def test_duration_round_trip(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
    assert parse_duration(prometheus_duration(seconds)) == seconds


def test_json_paths() -> None:
    doc = {"data": {"items": [{"p95": 1}, {"p95": 2}], "odd key": 3}}
    assert select(doc, "$.data.items[1].p95") == (2, "")
    assert select(doc, "data.items[*].p95") == ([1, 2], "")
    assert select(doc, "$.data.items.p95") == ([1, 2], "")
    assert select(doc, '$.data["odd key"]') == (3, "")
    assert select(doc, "$")[0] is doc
    assert select(doc, "$.data.nope") == (None, "$.data.nope matched nothing")
    assert select(doc, "$.data.items[5]")[1] == "$.data.items[5] matched nothing"
    assert select(doc, "$.data[*]")[1] == "$.data is not a list"
    with pytest.raises(PathError, match="character"):
        select(doc, "$.data..x")


GATE_KEYS = st.sampled_from(["metrics", "name", "analysis", "timeout", "schema_version", "nope"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=8),
    st.sampled_from(["5m", "-1s", "result > 1", "file", "prometheus"]),
)
YAMLISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.one_of(
                GATE_KEYS,
                st.sampled_from(["source", "type", "success", "file", "count", "interval", "query", "url"]),
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@FAST
@given(YAMLISH)
def test_gate_loader_never_crashes(tmp_path: Path, data: object) -> None:
    import json

    path = tmp_path / "gate.yml"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        load_gate(path)
    except InputError as exc:
        assert exc.message and exc.file == str(path)
