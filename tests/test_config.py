from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.config import MaestroConfig, load_config
from maestro_ci.errors import InputError, UsageError
from maestro_ci.settings import new_run_id, resolve
from maestro_ci.sources.yamlfile import json_path, load_document, parse_yaml_text


def test_defaults_without_a_file(tmp_path: Path) -> None:
    s = resolve(tmp_path, env={})
    assert s.config_file is None
    assert s.config == MaestroConfig()
    assert s.run_dir.parent == tmp_path.resolve() / ".maestro" / "runs"


def test_unknown_key_names_line_path_and_suggestion(tmp_path: Path) -> None:
    cfg = tmp_path / ".maestro.yml"
    cfg.write_text("version: 1\nrun:\n  dir: x\n  kepp: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        resolve(tmp_path, env={})
    err = info.value
    assert err.file == str(cfg)
    assert err.place == "line 4"
    assert "$.run.kepp" in err.message
    assert "did you mean 'keep'" in err.message


def test_wrong_type_names_expected(tmp_path: Path) -> None:
    cfg = tmp_path / ".maestro.yml"
    cfg.write_text("run:\n  keep: many\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(cfg)
    assert info.value.place == "line 2"
    assert "$.run.keep" in info.value.message


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    cfg = tmp_path / ".maestro.yml"
    cfg.write_text("run:\n  dir: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(cfg)
    assert info.value.place and info.value.place.startswith("line ")
    assert "invalid YAML" in info.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\xff\xfe\x00bin", "binary"), (b"run: \xe9t\xe9\n", "not valid UTF-8")],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    cfg = tmp_path / ".maestro.yml"
    cfg.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_config(cfg)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        load_document(tmp_path)
    with pytest.raises(InputError, match="not found"):
        load_document(tmp_path / "nope.yml")
    with pytest.raises(InputError, match="config file not found"):
        resolve(tmp_path, "missing.yml", env={})


def test_precedence_file_env_flags(tmp_path: Path) -> None:
    (tmp_path / ".maestro.yml").write_text("run:\n  keep: 5\n  dir: from-file\n", encoding="utf-8")
    s = resolve(tmp_path, env={})
    assert (s.config.run.keep, s.config.run.dir) == (5, "from-file")
    s = resolve(tmp_path, env={"MAESTRO_RUN__KEEP": "7"})
    assert (s.config.run.keep, s.config.run.dir) == (7, "from-file")
    s = resolve(tmp_path, env={"MAESTRO_RUN__KEEP": "7"}, overrides={"run.keep": 9, "run.dir": None})
    assert s.config.run.keep == 9


def test_bad_env_value_names_the_layer(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        resolve(tmp_path, env={"MAESTRO_RUN__KEEP": "lots"})
    assert "environment" in str(info.value.file)
    with pytest.raises(UsageError):
        resolve(tmp_path, env={"MAESTRO_RUN__KEEP__DEEP": "1", "MAESTRO_RUN__KEEP": "2"})


def test_explicit_config_and_env_config(tmp_path: Path) -> None:
    other = tmp_path / "ci.yml"
    other.write_text("run:\n  keep: 3\n", encoding="utf-8")
    assert resolve(tmp_path, "ci.yml", env={}).config.run.keep == 3
    assert resolve(tmp_path, env={"MAESTRO_CONFIG": str(other)}).config.run.keep == 3


def test_run_ids() -> None:
    assert new_run_id({"MAESTRO_RUN_ID": "demo"}) == "demo"
    assert new_run_id({"GITHUB_RUN_ID": "12", "GITHUB_RUN_ATTEMPT": "2"}) == "gh-12-2"
    assert new_run_id({}).startswith("local-")


def test_json_path() -> None:
    assert json_path(("a", 0, "b")) == "$.a[0].b"
    assert json_path(()) == "$"


def test_masker_from_config_and_env(tmp_path: Path) -> None:
    (tmp_path / ".maestro.yml").write_text("mask:\n  patterns: ['cfg-[0-9]+']\n", encoding="utf-8")
    s = resolve(tmp_path, env={"MAESTRO_MASK_REGEXES": "env-[0-9]+", "MAESTRO_MASK_REPLACEMENT": "#"})
    assert s.masker.mask("cfg-1 env-2 ok") == "# # ok"


@given(st.binary(max_size=400))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_never_traceback(tmp_path: Path, data: bytes) -> None:
    cfg = tmp_path / "random.yml"
    cfg.write_bytes(data)
    try:
        load_config(cfg)
    except InputError as exc:
        assert exc.message
        assert exc.file == str(cfg)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(yaml_values)
@settings(max_examples=150, deadline=None)
def test_random_yaml_documents_validate_or_explain(value: object) -> None:
    import yaml

    text = yaml.safe_dump({"run": value} if isinstance(value, dict) else value)
    doc = parse_yaml_text(text, "random.yml")
    from maestro_ci.sources.yamlfile import validate_document

    if doc.data is None:
        doc.data = {}
    try:
        validate_document(doc, MaestroConfig)
    except InputError as exc:
        assert exc.message.startswith("at $")


def test_cli_config_error_exits_2_without_traceback(cli, tmp_path: Path) -> None:
    (tmp_path / ".maestro.yml").write_text("mask:\n  replacment: x\n", encoding="utf-8")
    res = cli("secrets", "scan", str(tmp_path / ".maestro.yml"), "-C", str(tmp_path))
    assert res.code == 2
    assert "Traceback" not in res.err
    assert ".maestro.yml:2: " in res.err
    assert "did you mean 'replacement'" in res.err
