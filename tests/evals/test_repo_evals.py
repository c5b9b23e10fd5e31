"""The project's own scenarios (evals/) run and pass on the repository itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maestro_ci.models import GateResult, Status

ROOT = Path(__file__).resolve().parents[2]


def _has_commit(sha: str) -> bool:
    proc = subprocess.run(
        ["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=ROOT, capture_output=True, check=False
    )
    return proc.returncode == 0


def test_own_evals_pass(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = (ROOT / "evals" / "codeowners-change.yml").read_text(encoding="utf-8")
    shas = [
        line.split(":")[1].strip()
        for line in scenario.splitlines()
        if line.strip().startswith(("base:", "head:"))
    ]
    if not all(_has_commit(s) for s in shas):
        pytest.skip("a shallow clone: the historical commits of evals/codeowners-change.yml are absent")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("MAESTRO_RUN_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("MAESTRO_RUN_ID", "own")
    # The risk, policy and coverage gates of "the same run": evals reads their results from the
    # run folder. Stand-ins here keep this test about evals, independent of those gates' tuning.
    run_dir = tmp_path / "runs" / "own"
    run_dir.mkdir(parents=True)
    for result in (
        GateResult(gate="risk", status=Status.PASS, score=0.2),
        GateResult(gate="policy", status=Status.PASS),
        GateResult(gate="coverage", status=Status.PASS, metrics={"changed_line_coverage": 0.95}),
    ):
        (run_dir / f"{result.gate}.json").write_text(result.model_dump_json(), encoding="utf-8")
    res = cli("eval", "run", "--base", "HEAD", "--jobs", "4", "--format", "json", "-C", str(ROOT))
    data = json.loads(res.out)
    failing = [
        (s["id"], c["message"])
        for s in data["details"]["report"]["scenarios"]
        for c in s["checks"]
        if c["status"] != "pass"
    ]
    assert res.code == 0, failing
    assert data["score"] == 1.0
    types = {c["type"] for s in data["details"]["report"]["scenarios"] for c in s["checks"]}
    from maestro_ci.jobs.evals_check_models import CHECK_TYPES

    assert types == set(CHECK_TYPES), "evals/ must cover every check type"
    recorded = json.loads((run_dir / "evals.json").read_text(encoding="utf-8"))
    assert recorded["status"] == "pass"
