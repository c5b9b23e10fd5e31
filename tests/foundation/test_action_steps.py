"""``action.yml`` run step by step as GitHub Actions would (see ``action_harness.py``).

The install step runs for real once per session (a venv with the hash-locked
requirements and maestro-ci from a copy of the worktree); later runs reuse it,
as a second use of the action in one job would. Add a command to ``CASES``
to cover it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from maestro_ci.cli import COMMANDS
from tests.conftest import make_repo
from tests.foundation.action_harness import ActionHarness, ActionRun
from tests.foundation.conftest import Snapshot, offline_pip_env

TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0" * 2


@pytest.fixture(scope="session")
def action_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def harness(
    worktree_snapshot: Snapshot, wheelhouse: Path, action_temp: Path, tmp_path: Path
) -> ActionHarness:
    repo = make_repo(tmp_path / "workspace")
    repo.commit("initial", {"README.md": "hello\n", "src/app.py": "def f():\n    return 1\n"})
    return ActionHarness(worktree_snapshot.path, repo.path, action_temp, offline_pip_env(wheelhouse))


@dataclass
class Case:
    id: str
    inputs: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    code: int = 0
    status: str = "pass"
    summary_has: str = ""  # in the step summary page
    output_summary_has: str = ""  # in the 'summary' output
    check: Callable[[ActionRun, Path], None] | None = None


def _no_secret_anywhere(run: ActionRun, workspace: Path) -> None:
    assert TOKEN not in run.log
    assert TOKEN not in run.summary
    assert TOKEN not in json.dumps(run.outputs)
    assert "::error file=leak.py,line=1" in run.step("run").stdout


def _result_json_is_a_gate_result(run: ActionRun, workspace: Path) -> None:
    data = json.loads(Path(run.outputs["result-json"]).read_text(encoding="utf-8"))
    assert data["gate"] == "validate"
    assert data["status"] == run.outputs["status"]


def _git_state_printed(run: ActionRun, workspace: Path) -> None:
    assert "main" in run.step("run").stdout
    assert run.outputs["result-json"] == ""


def _nothing_injected(run: ActionRun, workspace: Path) -> None:
    assert not (workspace / "pwned").exists()
    assert "file not found" in run.step("run").stderr


GATE = """schema_version: 1
name: file-gate
analysis: {interval: 0s, count: 1}
metrics:
  - name: score
    source: {type: file, file: metrics.json, json_path: $.score}
    success: result >= 0.85
"""
JUNIT = (
    '<testsuite name="t"><testcase classname="tests.test_a" name="test_x" time="0.5"/>'
    '<testcase classname="tests.test_a" name="test_y" time="1.5"/></testsuite>\n'
)

CASES = [
    Case(
        "validate-pass",
        {"command": "validate"},
        {".maestro.yml": "version: 1\n"},
        summary_has="validate",
        output_summary_has="1 file(s) valid",
        check=_result_json_is_a_gate_result,
    ),
    Case(
        "validate-bad-key",
        {"command": "validate"},
        {".maestro.yml": "version: 1\nmask:\n  replacment: x\n"},
        code=2,
        status="fail",
        output_summary_has="1 problem(s)",
    ),
    Case("secrets-clean", {"command": "secrets", "args": "scan src"}, output_summary_has="0 finding(s)"),
    Case(
        "secrets-found",
        {"command": "secrets scan", "args": "leak.py src"},
        {"leak.py": f"token = '{TOKEN}'\n"},
        code=1,
        status="fail",
        summary_has="github-token",
        check=_no_secret_anywhere,
    ),
    Case(
        "secrets-found-fail-on-never",
        {"command": "secrets", "args": "scan leak.py", "fail-on": "never"},
        {"leak.py": f"token = '{TOKEN}'\n"},
        status="fail",
    ),
    Case(
        "secrets-config-input",
        {"command": "secrets", "args": "scan notes.txt", "config": "ci/maestro.yml"},
        {
            "ci/maestro.yml": "mask:\n  patterns: ['shop-internal-[0-9a-f]{8}']\n",
            "notes.txt": "k shop-internal-deadbeef\n",
        },
        code=1,
        status="fail",
        output_summary_has="1 finding(s)",
    ),
    Case(
        "working-directory",
        {"command": "secrets", "args": "scan app.py", "working-directory": "src"},
        output_summary_has="in 1 file(s)",
    ),
    Case("git-state", {"command": "git-state"}, check=_git_state_printed),
    Case("runs-list", {"command": "runs", "args": "list"}),
    Case("mask-no-input", {"command": "mask"}, output_summary_has="exited 0"),
    Case(
        "no-shell-injection",
        {"command": "secrets", "args": "scan '$(touch pwned)' ; touch pwned"},
        code=2,
        status="error",
        check=_nothing_injected,
    ),
    # every other job command, through the same steps
    Case(
        "policy",
        {"command": "policy", "args": "--base HEAD"},
        {"policy/rules.yaml": "deny:\n  - path: 'infra/**'\n    actions: ['write']\n    reason: 'review'\n"},
        summary_has="policy",
        output_summary_has="1 rule(s)",
    ),
    Case(
        "risk",
        {"command": "risk", "args": "--base HEAD"},
        summary_has="risk",
        output_summary_has="risk 0.000",
    ),
    Case(
        "eval-run",
        {"command": "eval", "args": "run --base HEAD"},
        {"evals/smoke.yml": "id: smoke@v1\nchecks:\n  - type: command\n    run: 'true'\nthreshold: 1.0\n"},
        summary_has="PR Eval Score",
    ),
    Case(
        "health-promote",
        {"command": "health", "args": "--gate gate.yml"},
        {"gate.yml": GATE, "metrics.json": '{"score": 0.93}'},
        output_summary_has="promote",
    ),
    Case(
        "health-rollback",
        {"command": "health", "args": "--gate gate.yml"},
        {"gate.yml": GATE, "metrics.json": '{"score": 0.5}'},
        code=1,
        status="fail",
        summary_has="rollback",
    ),
    Case("timings-collect", {"command": "timings", "args": "collect junit.xml"}, {"junit.xml": JUNIT}),
    Case(
        "shard",
        {"command": "shard", "args": "--shards 2 --tests tests.txt"},
        {"tests.txt": "tests/test_a.py::test_x\ntests/test_b.py::test_z\n"},
        output_summary_has="2 shards",
    ),
    Case("flaky", {"command": "flaky"}, output_summary_has="flake rate"),
    Case("affected", {"command": "affected", "args": "--base HEAD"}, summary_has="affected"),
    Case("provenance", {"command": "provenance", "args": "--subject README.md"}),
    Case(
        "sbom",
        {"command": "sbom", "args": "--requirements req.txt --out sbom.json"},
        {"req.txt": "httpx==0.27.0\n"},
    ),
    Case(
        "summary",
        {"command": "summary"},
        {".maestro/runs/action-summary/risk.json": '{"schema_version": 1, "gate": "risk", "status": "pass"}'},
        summary_has="risk",
    ),
    Case("summary-no-run", {"command": "summary", "args": "--run nowhere"}, code=2, status="error"),
    Case("bad-fail-on", {"command": "git-state", "fail-on": "sometimes"}, code=2, status=""),
    Case("unbalanced-quotes", {"command": "validate", "args": "'oops"}, code=2, status=""),
    Case("unknown-command", {"command": "valdate"}, code=2, status="error"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_action_runs_the_command(case: Case, harness: ActionHarness) -> None:
    for rel, text in case.files.items():
        target = harness.workspace / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    run = harness.run(case.inputs, {"MAESTRO_RUN_ID": f"action-{case.id}"})
    install = run.step("install")
    assert install.outcome == "success", install.stdout + install.stderr
    assert run.code == case.code, run.log
    assert run.outputs["status"] == case.status, run.log
    assert case.summary_has in run.summary
    assert case.output_summary_has in run.outputs["summary"]
    if case.status:
        assert run.outputs["exit-code"] in {"0", "1", "2", "3"}
    if case.check:
        case.check(run, harness.workspace)
    assert run.step("predicate").outcome == "skipped"
    assert not run.attest_calls


@pytest.mark.slow
def test_attest_hands_the_predicate_to_actions_attest(harness: ActionHarness) -> None:
    if "provenance" not in COMMANDS:
        pytest.skip("the provenance command is built on another branch")
    (harness.workspace / "dist").mkdir()
    (harness.workspace / "dist" / "pkg-1.0-py3-none-any.whl").write_bytes(b"wheel bytes")
    run = harness.run({"command": "git-state", "attest": "true", "attest-subjects": "dist/*.whl"})
    assert run.code == 0, run.log
    (call,) = run.attest_calls
    assert call["predicate-type"].startswith("https://")
    predicate = json.loads(Path(call["predicate-path"]).read_text(encoding="utf-8"))
    assert isinstance(predicate, dict)
    assert "pkg-1.0-py3-none-any.whl" in Path(call["subject-checksums"]).read_text(encoding="utf-8")
    assert run.outputs["attestation-url"]
