"""Each signal on real git repositories, through the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo, make_repo
from tests.risk.conftest import risk_json, signal


def test_size_churn_owners_centrality_complexity(cli, shop: GitRepo) -> None:
    code, result = risk_json(cli, shop)
    assert code == 0
    assert result["gate"] == "risk"
    lines = signal(result, "lines_changed")
    assert lines["raw"] == 6 + 6  # core: +5 -1, test file: +1 -5
    assert signal(result, "files_touched")["raw"] == 2
    owners = signal(result, "owners_touched")
    assert owners["raw"] == 2 and "@org/core" in owners["words"]
    # api and cli depend on core: 2 of 5 modules (pkg, core, api, cli, util, tests.test_core = 6)
    cent = signal(result, "centrality")
    assert cent["measured"] and cent["raw"] > 0
    assert "depend on the touched modules" in cent["words"]
    churn = signal(result, "churn_30d")
    assert churn["raw"] == 2 + 5 + 6 + 6  # the initial commit is within 30 days of HEAD
    cx = signal(result, "complexity_delta")
    # total: 1 -> 4; test_total (an assert: 2) removed, counted as 1 in head
    assert cx["raw"] == pytest.approx(2 / 3, abs=1e-3) and "from 3 to 5" in cx["words"]
    assert set(result["details"]["not_measured"]) == {"coverage_drop", "static_alerts", "test_fail_rate"}
    measured = [s for s in result["details"]["signals"] if s["measured"]]
    assert abs(sum(s["weight"] for s in measured) - 1.0) < 1e-3
    assert result["score"] == pytest.approx(sum(s["contribution"] for s in measured), abs=2e-3)
    assert len([r for r in result["reasons"] if r["code"] != "risk.reviewer-required"]) == 3


def test_churn_window_excludes_old_commits(cli, git_repo: GitRepo, monkeypatch) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
    git_repo.commit("old", {"a.py": "x = 1\n" * 50})
    git_repo.git("branch", "base")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2020-03-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2020-03-01T00:00:00Z")
    git_repo.commit("new", {"a.py": "x = 1\n" * 50 + "y = 2\n"})
    _, result = risk_json(cli, git_repo)
    assert signal(result, "churn_30d")["raw"] == 1
    assert signal(result, "owners_touched")["measured"] is False
    assert "CODEOWNERS" in signal(result, "owners_touched")["not_measured"]


def test_shallow_clone_says_how_much_history_to_fetch(cli, tmp_path: Path, monkeypatch) -> None:
    origin = make_repo(tmp_path / "origin")
    for day, text in (("2020-01-01", "a"), ("2020-02-20", "b"), ("2020-03-01", "c")):
        monkeypatch.setenv("GIT_AUTHOR_DATE", f"{day}T00:00:00Z")
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"{day}T00:00:00Z")
        origin.commit(day, {"a.py": f"x = '{text}'\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{origin.path}", str(clone)], check=True)
    res = cli("risk", "--base", "HEAD~1", "--no-record", cwd=clone)
    assert res.code == 2
    assert "shallow clone" in res.err and "30 days" in res.err
    assert "--shallow-since=2020-01-31" in res.err


def test_nonexistent_base_is_exit_2(cli, shop: GitRepo) -> None:
    res = cli("risk", "--base", "no-such-branch", "--no-record", cwd=shop.path)
    assert res.code == 2
    assert "no-such-branch" in res.err and "does not exist" in res.err


def test_fail_rate_from_the_timing_store(cli, shop: GitRepo) -> None:
    store = {
        "schema_version": 1,
        "tests": {
            "tests/test_core.py::test_total": {"runs": 10, "failed": 3},
            "tests/test_other.py::test_x": {"runs": 10, "failed": 10},
        },
    }
    shop.write(".maestro/timings.json", json.dumps(store))
    _, result = risk_json(cli, shop)
    rate = signal(result, "test_fail_rate")
    assert rate["raw"] == pytest.approx(0.3)
    assert "failed in 30%" in rate["words"]


def test_fail_rate_not_measured_without_keys(cli, shop: GitRepo, tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps({"tests": {"tests/test_core.py::t": {"duration": 1}}}))
    _, result = risk_json(cli, shop, "--timings", str(bad))
    rate = signal(result, "test_fail_rate")
    assert rate["measured"] is False and "records no runs/failed counts" in rate["not_measured"]
    bad.write_text("{not json")
    _, result = risk_json(cli, shop, "--timings", str(bad))
    assert "not readable JSON" in signal(result, "test_fail_rate")["not_measured"]
    bad.write_text("[1, 2]")
    _, result = risk_json(cli, shop, "--timings", str(bad))
    assert "no 'tests' object" in signal(result, "test_fail_rate")["not_measured"]
    _, result = risk_json(cli, shop)
    assert "timings.json not found" in signal(result, "test_fail_rate")["not_measured"]
    assert "not measured: coverage_drop, static_alerts, test_fail_rate" in result["summary"]


def test_threshold_and_enforce(cli, shop: GitRepo) -> None:
    code, result = risk_json(cli, shop, "--threshold", "0.05")
    assert code == 0 and result["status"] == "warn" and result["details"]["reviewer_required"]
    assert result["reasons"][-1]["code"] == "risk.reviewer-required"
    code, result = risk_json(cli, shop, "--threshold", "0.05", "--enforce")
    assert code == 1 and result["status"] == "fail"
    res = cli("risk", "--base", "base", "--threshold", "2", "--no-record", cwd=shop.path)
    assert res.code == 2


def test_weights_from_config(cli, shop: GitRepo) -> None:
    shop.write(".maestro.yml", "version: 1\nrisk:\n  weights:\n    centrality: 0\n  enforce: true\n")
    _, result = risk_json(cli, shop)
    assert signal(result, "centrality")["weight"] == 0
    shop.write(".maestro.yml", "version: 1\nrisk:\n  weights:\n    centrallity: 0.2\n")
    res = cli("risk", "--base", "base", "--no-record", cwd=shop.path)
    assert res.code == 2 and "centrality" in res.err


def test_markdown_has_chart_and_reasons(cli, shop: GitRepo) -> None:
    res = cli("risk", "--base", "base", "--format", "markdown", "--no-record", cwd=shop.path)
    assert "```mermaid" in res.out and "xychart-beta" in res.out
    assert "| centrality |" in res.out and "not measured" in res.out
