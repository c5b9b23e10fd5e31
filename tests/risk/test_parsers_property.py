"""Random input to every parser: a model, a result or an InputError — never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.risk_model import parse_model
from maestro_ci.sources import alerts, coverage_data

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = [
    "schema_version",
    "features",
    "mean",
    "scale",
    "coefficients",
    "intercept",
    "threshold",
    "flag_share",
    "window",
    "metrics",
    "kind",
]
fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)) | json_values)
def test_model_loader(doc) -> None:
    try:
        model = parse_model(doc, "model.json")
    except InputError as exc:
        assert exc.message and exc.file == "model.json"
    else:
        assert set(model.features) <= set(model.coefficients)


@fuzz
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_coverage_parser(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cov"
        path.write_bytes(data)
        try:
            report = coverage_data.load(path, Path(tmp), {"a.py"}, lambda rel: None)
        except InputError as exc:
            assert exc.message
        else:
            assert set(report.files) <= {"a.py"}


@fuzz
@given(st.binary(max_size=120) | json_values.map(lambda v: json.dumps(v).encode()))
def test_sarif_and_ruff_parsers(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.json"
        path.write_bytes(data)
        for load in (alerts.load_sarif, alerts.load_ruff):
            try:
                found = load(path, Path(tmp))
            except InputError as exc:
                assert exc.message
            else:
                assert isinstance(found, list)


scalars = st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=6)
locations = st.fixed_dictionaries(
    {},
    optional={
        "physicalLocation": st.fixed_dictionaries(
            {},
            optional={
                "artifactLocation": st.fixed_dictionaries({}, optional={"uri": scalars | st.just("a.py")}),
                "region": st.fixed_dictionaries({}, optional={"startLine": scalars}),
            },
        )
    },
)
results = st.fixed_dictionaries(
    {"message": st.fixed_dictionaries({}, optional={"text": scalars})},
    optional={"ruleId": scalars, "locations": st.lists(locations, max_size=2) | scalars},
)
near_sarif = st.fixed_dictionaries(
    {"version": st.sampled_from(["2.1.0", "2.0.0", 2])},
    optional={
        "runs": st.lists(
            st.fixed_dictionaries(
                {"tool": st.fixed_dictionaries({"driver": st.fixed_dictionaries({"name": scalars})})},
                optional={"results": st.lists(results, max_size=3) | scalars},
            ),
            max_size=2,
        )
    },
)


@fuzz
@given(near_sarif)
def test_near_valid_sarif(doc) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.sarif"
        path.write_text(json.dumps(doc))
        try:
            found = alerts.load_sarif(path, Path(tmp))
        except InputError as exc:
            assert "SARIF" in exc.message
        else:
            assert all(isinstance(a.path, str) for a in found)
