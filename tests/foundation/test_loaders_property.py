"""Random bytes and random YAML/JSON at every loader, through the CLI: exit 0/1 or 2 with a
message naming the file, never a traceback and never an internal error (exit 3)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.sources import codeowners
from maestro_ci.sources.store import read_json
from maestro_ci.sources.yamlfile import parse_yaml_text

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CLI_SETTINGS = settings(SETTINGS, max_examples=30)  # each example runs a whole command

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
# bytes that look like YAML/JSON sometimes: mix random bytes with structural characters
structured_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=st.sampled_from(list("{}[]:,-'\"\n #&*!|>%@`abc123\t\\")), max_size=200).map(str.encode),
)


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _clean(res, code_ok: set[int]) -> None:  # type: ignore[no-untyped-def]
    assert res.code in code_ok, (res.code, res.err)
    assert "Traceback" not in res.err
    assert "internal error" not in res.err


def _fresh(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


@given(data=structured_bytes)
@CLI_SETTINGS
def test_config_file_random_bytes_through_validate(cli, folder: Path, data: bytes) -> None:
    work = _fresh(folder)
    (work / ".maestro.yml").write_bytes(data)
    res = cli("validate", "--no-record", "-C", str(work), ".maestro.yml")
    _clean(res, {0, 2})
    if res.code == 2:
        assert ".maestro.yml" in res.err


@given(value=json_values)
@CLI_SETTINGS
def test_config_file_random_yaml_through_a_command(cli, folder: Path, value: object) -> None:
    """The config is read by every command: a wrong one is exit 2 naming it, before any work."""
    work = _fresh(folder)
    document = {"mask": value} if isinstance(value, dict) else value
    (work / "cfg.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
    (work / "a.txt").write_text("hello\n", encoding="utf-8")
    res = cli("secrets", "scan", "a.txt", "--no-record", "--config", "cfg.yml", "-C", str(work))
    _clean(res, {0, 1, 2})
    if res.code == 2:
        assert "cfg.yml" in res.err


@given(data=structured_bytes)
@SETTINGS
def test_yaml_loader_random_text(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        doc = parse_yaml_text(text, "random.yml")
    except InputError as exc:
        assert exc.file == "random.yml"
        assert exc.message
    else:
        assert isinstance(doc.lines, dict)


@given(data=structured_bytes)
@SETTINGS
def test_json_reader_random_bytes(folder: Path, data: bytes) -> None:
    path = _fresh(folder) / "x.json"
    path.write_bytes(data)
    try:
        read_json(path, "thing")
    except InputError as exc:
        assert exc.file == str(path)
        assert exc.fix


@given(data=structured_bytes, which=st.sampled_from(["secrets.json", "run.json"]))
@CLI_SETTINGS
def test_run_results_random_bytes_through_runs_show(cli, folder: Path, data: bytes, which: str) -> None:
    work = _fresh(folder)
    run = work / ".maestro" / "runs" / "r1"
    run.mkdir(parents=True)
    (run / which).write_bytes(data)
    res = cli("runs", "show", "r1", "-C", str(work))
    _clean(res, {0, 2})
    if res.code == 2:
        assert which in res.err
    listed = cli("runs", "list", "-C", str(work))
    _clean(listed, {0})


@given(value=json_values)
@CLI_SETTINGS
def test_run_results_random_json_through_runs_show(cli, folder: Path, value: object) -> None:
    work = _fresh(folder)
    run = work / ".maestro" / "runs" / "r1"
    run.mkdir(parents=True)
    doc = {"gate": "x", "status": "pass", "summary": value} if isinstance(value, dict) else value
    (run / "gate.json").write_text(json.dumps(doc), encoding="utf-8")
    res = cli("runs", "show", "r1", "--format", "json", "-C", str(work))
    _clean(res, {0, 2})
    assert res.code == 2
    assert "gate.json" in res.err


@given(data=structured_bytes)
@SETTINGS
def test_codeowners_random_bytes(folder: Path, data: bytes) -> None:
    work = _fresh(folder)
    (work / ".github").mkdir()
    (work / ".github" / "CODEOWNERS").write_bytes(data)
    try:
        owners = codeowners.load(work)
    except InputError as exc:
        assert "CODEOWNERS" in (exc.file or "")
    else:
        assert owners is not None
        owners.owners_of("src/app.py")
