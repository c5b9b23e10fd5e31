"""``maestro_ci.action`` in-process: argument splitting, fail-on, outputs, attest preparation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from maestro_ci import action
from maestro_ci.errors import UsageError
from maestro_ci.gha import read_outputs


@pytest.fixture
def step_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "github_output"
    out.touch()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("MAESTRO_RUN_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("MAESTRO_RUN_ID", "unit")
    return out


def test_split_argv_keeps_quotes_and_never_expands() -> None:
    assert action.split_argv("secrets scan", "'a b' $(x) ;") == ["secrets", "scan", "a b", "$(x)", ";"]
    with pytest.raises(UsageError, match="balance the quotes"):
        action.split_argv("validate", "'open")
    with pytest.raises(UsageError, match="empty"):
        action.split_argv("", "")
    with pytest.raises(UsageError, match="empty"):
        action.split_argv("--help", "")


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [
        ("fail", {"fail", "error"}),
        ("WARN", {"warn", "fail", "error"}),
        ("error", {"error"}),
        ("never", set()),
        ("", {"fail", "error"}),
    ],
)
def test_fail_on_values(fail_on: str, failing: set[str]) -> None:
    assert action.fail_statuses(fail_on) == failing


def test_unknown_fail_on_is_named() -> None:
    with pytest.raises(UsageError, match="unknown fail-on value 'sometimes'"):
        action.fail_statuses("sometimes")


def _run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, args: str, fail_on: str = "fail"
) -> int:
    monkeypatch.setenv("INPUT_COMMAND", command)
    monkeypatch.setenv("INPUT_ARGS", args)
    monkeypatch.setenv("INPUT_FAIL_ON", fail_on)
    monkeypatch.chdir(tmp_path)
    return action.main(["run"])


def test_run_sets_outputs_from_the_gate_result(
    step_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "clean.py").write_text("x = 1\n", encoding="utf-8")
    assert _run(monkeypatch, tmp_path, "secrets", "scan clean.py") == 0
    outputs = read_outputs(step_env)
    assert outputs["status"] == "pass"
    assert outputs["exit-code"] == "0"
    assert outputs["summary"] == "0 finding(s) in 1 file(s)"
    assert Path(outputs["result-json"]).is_file()
    assert os.environ["GITHUB_OUTPUT"] == str(step_env)  # restored after the private redirect


@pytest.mark.parametrize(("fail_on", "code"), [("fail", 1), ("warn", 1), ("error", 0), ("never", 0)])
def test_fail_on_decides_the_step_exit(
    step_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fail_on: str,
    code: int,
) -> None:
    (tmp_path / "leak.py").write_text("password = 'hunter2hunter2'\n", encoding="utf-8")
    assert _run(monkeypatch, tmp_path, "secrets", "scan leak.py", fail_on) == code
    assert read_outputs(step_env)["status"] == "fail"
    assert read_outputs(step_env)["exit-code"] == "1"
    err = capsys.readouterr().err
    assert ("fails this step" in err) == (code == 1)


def test_bad_input_always_fails(step_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(monkeypatch, tmp_path, "secrets", "scan missing.py", "never") == 2
    assert read_outputs(step_env)["status"] == "error"


def test_command_without_result_reports_its_exit(
    step_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, tmp_path, "runs", "list") == 0
    outputs = read_outputs(step_env)
    assert outputs["status"] == "pass"
    assert outputs["result-json"] == ""
    assert outputs["summary"] == "maestro-ci runs exited 0"


def test_unknown_step_and_bad_inputs_exit_2(
    step_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert action.main(["dance"]) == 2
    assert "unknown action step" in capsys.readouterr().err
    monkeypatch.setenv("INPUT_COMMAND", "validate")
    monkeypatch.setenv("INPUT_FAIL_ON", "maybe")
    assert action.main(["run"]) == 2
    assert "input 'fail-on'" in capsys.readouterr().err


def test_expand_subjects(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    for name in ("b.whl", "a.whl", "c.tar.gz"):
        (tmp_path / "dist" / name).write_bytes(b"x")
    assert action.expand_subjects("dist/*.whl\ndist/c.tar.gz dist/a.whl", tmp_path) == [
        "dist/a.whl",
        "dist/b.whl",
        "dist/c.tar.gz",
    ]
    with pytest.raises(Exception, match="no file matches"):
        action.expand_subjects("dist/*.exe", tmp_path)
    with pytest.raises(UsageError, match="names no file"):
        action.expand_subjects("dist", tmp_path)


def test_attest_prepare_splits_the_statement(
    step_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provenance command is stubbed: this checks the hand-over to actions/attest only."""
    import maestro_ci.cli as cli

    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "pkg.whl").write_bytes(b"wheel")
    calls: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        calls.append(argv)
        out = Path(argv[argv.index("--out") + 1])
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "dist/pkg.whl", "digest": {"sha256": "ab" * 32}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"buildDefinition": {"buildType": "x"}},
        }
        out.write_text(json.dumps(statement), encoding="utf-8")
        return 0

    monkeypatch.setitem(cli.COMMANDS, "provenance", ("provenance", "stub"))
    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "rt"))
    monkeypatch.setenv("INPUT_ATTEST_SUBJECTS", "dist/*.whl")
    monkeypatch.chdir(tmp_path)
    assert action.main(["attest-prepare"]) == 0
    assert calls[0][:3] == ["provenance", "--subject", "dist/pkg.whl"]
    outputs = read_outputs(step_env)
    assert outputs["predicate-type"] == "https://slsa.dev/provenance/v1"
    assert json.loads(Path(outputs["predicate-path"]).read_text()) == {"buildDefinition": {"buildType": "x"}}
    assert Path(outputs["subject-checksums"]).read_text() == f"{'ab' * 32}  dist/pkg.whl\n"


def test_attest_prepare_without_provenance_command(
    step_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import maestro_ci.cli as cli

    monkeypatch.setattr(cli, "COMMANDS", {k: v for k, v in cli.COMMANDS.items() if k != "provenance"})
    assert action.main(["attest-prepare"]) == 2
    assert "no 'provenance' command" in capsys.readouterr().err


def test_read_outputs_both_forms(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("a=1\nb<<EOF\nline 1\nline=2\nEOF\nc=x<<y\n", encoding="utf-8")
    assert read_outputs(path) == {"a": "1", "b": "line 1\nline=2", "c": "x<<y"}
    assert read_outputs(tmp_path / "missing") == {}
