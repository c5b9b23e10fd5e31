"""The scenario loader: the issue's example, every bad-input message, and random input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.evals_model import check_weights, load_scenario, load_suite, normalise, predicate_of

EXAMPLE = """id: implement.fix-test@v2
fixtures:
  - failing_tests: 'tests/test_service_a.py::test_should_retry'
    context_files: ['server/service_a.py', 'server/retry.py']
checks:
  - type: patch_applies
  - type: tests_pass
  - type: risk_score_max
    max: 0.65
  - type: structured_requirements
    require:
      - 'adds test that reproduces prior failure'
      - 'does not change public API'
scoring:
  exact: 0.4
  tests: 0.4
  risk: 0.2
threshold: 0.85
"""


def _write(tmp_path: Path, text: str, name: str = "s.yml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_issue_example_loads_unchanged(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, EXAMPLE))
    assert s.id == "implement.fix-test@v2"
    assert [c.type for c in s.checks] == [
        "patch_applies",
        "tests_pass",
        "risk_score_max",
        "structured_requirements",
    ]
    # exact 0.4 is shared by patch_applies and structured_requirements.
    assert check_weights(s) == [0.2, 0.4, 0.2, 0.2]
    assert s.threshold == 0.85


def test_weights_by_id_type_and_own(tmp_path: Path) -> None:
    text = """id: w@v1
checks:
  - {type: command, id: a, run: 'true'}
  - {type: command, run: 'true', weight: 3}
  - {type: json_schema, file: x.json, schema: {}}
scoring: {a: 2, json_schema: 1}
"""
    assert check_weights(load_scenario(_write(tmp_path, text))) == [2, 3, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EXAMPLE.replace("type: patch_applies", "type: patch_apply"), "did you mean 'patch_applies'?"),
        (
            EXAMPLE.replace("'does not change public API'", "'writes good code'"),
            "'does not change public api'",
        ),
        (
            EXAMPLE.replace("exact: 0.4", "exact: 0")
            .replace("tests: 0.4", "tests: 0")
            .replace("risk: 0.2", "risk: 0"),
            "all check weights are zero",
        ),
        (EXAMPLE.replace("threshold: 0.85", "threshold: 1.5"), "$.threshold"),
        (EXAMPLE.replace("id: implement.fix-test@v2", "id: no-version"), "$.id"),
        (EXAMPLE.replace("exact: 0.4", "exakt: 0.4"), "did you mean 'exact'?"),
        (EXAMPLE.replace("  risk: 0.2\n", ""), "has no weight"),
        (EXAMPLE.replace("    max: 0.65\n", "    max: 0.65\n    colour: red\n"), "unknown key 'colour'"),
        (EXAMPLE.replace("  - type: tests_pass\n", "  - {}\n"), "needs a 'type'"),
        ("id: x@v1\nchecks: []\n", "$.checks"),
        ("id: x@v1\nchecks: [{type: command, run: 'true'}]\nscoring: {command: -1}\n", "$.scoring"),
    ],
)
def test_bad_scenarios_say_where_and_how(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = info.value.diagnostics()
    assert expected in message
    assert str(path) in message


def test_unknown_sentence_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_scenario(_write(tmp_path, EXAMPLE.replace("'does not change public API'", "'is nice'")))
    assert "adds test that reproduces prior failure" in (info.value.fix or "")
    assert "touches_only" in (info.value.fix or "")
    assert info.value.place == "line 13"


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    first = _write(tmp_path, EXAMPLE, "evals/a.yml")
    second = _write(tmp_path, EXAMPLE, "evals/sub/b.yml")
    with pytest.raises(InputError) as info:
        load_suite(tmp_path / "evals")
    text = info.value.diagnostics()
    assert str(first) in text and str(second) in text
    with pytest.raises(InputError, match="scenario folder not found"):
        load_suite(tmp_path / "missing")


def test_sentences_and_predicates() -> None:
    assert (
        normalise("Adds a test that reproduces the prior failure.")
        == "adds test that reproduces prior failure"
    )
    assert predicate_of("Does NOT change the public API")[0] == "no_public_api_change"
    assert predicate_of("changelog_updated") == ("changelog_updated", True)
    with pytest.raises(KeyError):
        predicate_of("flies")


def test_validate_command_checks_scenarios(cli, tmp_path: Path) -> None:
    _write(tmp_path, EXAMPLE.replace("type: tests_pass", "type: test_pass"), "evals/a.yml")
    res = cli("validate", "--no-record", "-C", str(tmp_path))
    assert res.code != 0
    assert "did you mean 'tests_pass'" in res.err + res.out


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-2, 2), st.text(max_size=8))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["type", "id", "max", "run", "require", "x"]), inner, max_size=3),
    ),
    max_leaves=10,
)
_docs = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.just("a@v1"), st.text(max_size=6)),
        "checks": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(
                            ["command", "tests_pass", "patch_applies", "json_schema", "bogus"]
                        )
                    },
                    optional={"run": _values, "max": _values},
                ),
                _values,
            ),
            max_size=3,
        ),
        "scoring": st.dictionaries(
            st.sampled_from(["exact", "tests", "risk", "command", "zz"]), st.floats(-1, 2), max_size=3
        ),
        "threshold": _scalars,
        "repeat": _scalars,
        "variants": _values,
        "fixtures": _values,
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_docs)
def test_random_documents_load_or_explain(tmp_path: Path, doc: dict) -> None:
    path = _write(tmp_path, yaml.safe_dump(doc) if doc else "# empty\n")
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        assert exc.message
        assert exc.file == str(path)
    else:
        assert sum(check_weights(scenario)) > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_random_text_never_crashes(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    try:
        load_scenario(path)
    except InputError as exc:
        assert exc.message
