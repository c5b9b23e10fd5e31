from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.runs import list_runs, load_result, load_run, prune, record_result
from maestro_ci.sources.store import atomic_write_text, keep_aside, read_json


def _result(gate: str, status: Status = Status.PASS) -> GateResult:
    reasons = [] if status is Status.PASS else [Reason(code="x", message="password=abcdef123456")]
    return GateResult(gate=gate, status=status, reasons=reasons)


def test_record_and_load(tmp_path: Path) -> None:
    run = tmp_path / "runs" / "r1"
    record_result(run, "r1", _result("policy", Status.FAIL), lambda t: t.replace("abcdef123456", "***"))
    record_result(run, "r1", _result("risk"), str)
    loaded = load_run(run)
    assert loaded.record is not None and loaded.record.results == ["policy.json", "risk.json"]
    assert [r.gate for r in loaded.results] == ["policy", "risk"]
    assert "abcdef123456" not in (run / "policy.json").read_text()


def test_corrupt_result_is_named_and_the_rest_loads(tmp_path: Path) -> None:
    run = tmp_path / "r"
    record_result(run, "r", _result("risk"), str)
    (run / "broken.json").write_text("{nope")
    (run / "future.json").write_text(json.dumps({"schema_version": 99, "gate": "x", "status": "pass"}))
    loaded = load_run(run)
    assert [r.gate for r in loaded.results] == ["risk"]
    assert "invalid JSON" in loaded.broken["broken.json"]
    assert "newer" in loaded.broken["future.json"]
    with pytest.raises(InputError, match="not a valid gate result"):
        (run / "bad.json").write_text(json.dumps({"gate": "x"}))
        load_result(run / "bad.json")


def test_list_and_prune(tmp_path: Path) -> None:
    for i in range(4):
        record_result(tmp_path / f"run{i}", f"run{i}", _result("g"), str)
    assert len(list_runs(tmp_path)) == 4
    removed = prune(tmp_path, 2)
    assert len(removed) == 2
    assert len(list_runs(tmp_path)) == 2
    assert list_runs(tmp_path / "none") == []


def test_atomic_write_keeps_old_content_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store.json"
    atomic_write_text(target, "old\n")

    class Boom(Exception):
        pass

    def fail(*_: object) -> None:
        raise Boom

    monkeypatch.setattr("os.fsync", fail)
    with pytest.raises(Boom):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


def test_keep_aside_and_read_json(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("{")
    with pytest.raises(InputError) as info:
        read_json(bad)
    assert info.value.place == "line 1, column 2"
    moved = keep_aside(bad)
    assert moved.name == "t.json.corrupt-1" and not bad.exists()


def test_runs_cli(cli, tmp_path: Path, git_repo) -> None:
    git_repo.commit("c", {"a.txt": "x"})
    cli("secrets", "scan", "a.txt", cwd=git_repo.path)
    res = cli("runs", "list", cwd=git_repo.path)
    assert res.code == 0 and "secrets=pass" in res.out
    run_id = res.out.splitlines()[1].split()[0]
    show = cli("runs", "show", run_id, "--format", "markdown", cwd=git_repo.path)
    assert show.code == 0 and "## secrets" in show.out
    as_json = cli("runs", "show", run_id, "--format", "json", cwd=git_repo.path)
    assert json.loads(as_json.out)["results"][0]["gate"] == "secrets"
    assert json.loads(cli("runs", "list", "--format", "json", cwd=git_repo.path).out)[0]["run_id"] == run_id
    assert cli("runs", "show", "nope", cwd=git_repo.path).code == 2
    text = cli("runs", "show", run_id, cwd=git_repo.path)
    assert "secrets: PASS" in text.out
