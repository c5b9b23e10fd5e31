"""Property tests: any statement file, any SBOM file, gives a verdict or one clear error."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.provenance_verify import subject_digests, verify
from maestro_ci.sources.sbom import check_sbom
from maestro_ci.sources.statement_schema import validate_statement

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
hexdigest = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
names = st.text(alphabet=string.ascii_letters + "/._-", min_size=1, max_size=12)
statements = st.fixed_dictionaries(
    {
        "_type": st.sampled_from(["https://in-toto.io/Statement/v1", "x", 3]),
        "subject": st.lists(
            st.fixed_dictionaries(
                {"name": names, "digest": st.fixed_dictionaries({"sha256": hexdigest | st.text(max_size=5)})}
            ),
            max_size=3,
        ),
        "predicateType": st.sampled_from(
            ["https://slsa.dev/provenance/v1", "https://maestro-ci.dev/decisions/v1", "urn:x"]
        ),
        "predicate": st.dictionaries(
            st.sampled_from(["buildDefinition", "runDetails", "other"]), json_values, max_size=3
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(doc=json_values | statements)
def test_validate_statement_raises_input_error_or_accepts(doc: Any) -> None:
    try:
        validate_statement(doc, "s.json")
    except InputError as exc:
        assert exc.file == "s.json"
        assert exc.message.startswith("not a valid in-toto statement")
        return
    assert isinstance(doc, dict)
    digests = subject_digests(doc, "s.json")
    assert set(digests) == {s["name"] for s in doc["subject"]}


@settings(max_examples=100, deadline=None)
@given(
    expected=st.dictionaries(names, hexdigest, max_size=5),
    actual=st.dictionaries(names, hexdigest | st.none(), max_size=5),
)
def test_verify_fails_exactly_when_something_differs(
    expected: dict[str, str], actual: dict[str, str | None]
) -> None:
    result = verify(expected, actual, "s.json")
    bad = [n for n in actual if expected.get(n) is None or actual[n] != expected[n]]
    assert (result.status == "fail") == bool(bad)
    for name in bad:
        assert any(f"'{name}'" in r.message for r in result.reasons)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_verify_command_on_any_file_never_crashes(cli: Any, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.intoto.json"
    path.write_bytes(content)
    res = cli("provenance", "verify", str(path), cwd=tmp_path)
    assert res.code in (0, 1, 2), res.err
    assert "internal error" not in res.err
    if res.code == 2:
        assert "s.intoto.json" in res.err


@settings(max_examples=150, deadline=None)
@given(
    doc=json_values | st.fixed_dictionaries({"bomFormat": st.just("CycloneDX"), "components": json_values})
)
def test_sbom_check_raises_input_error_or_accepts(doc: Any) -> None:
    try:
        check_sbom(doc, "b.json")
    except InputError as exc:
        assert exc.file == "b.json"
        return
    from maestro_ci.jobs.sbom_diff import diff

    assert diff(doc, doc, []).status == "pass"
