"""Each check type, scoring rule and gate rule, through the CLI on a real git repository."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from maestro_ci.models import GateResult, Reason, Status
from tests.conftest import GitRepo

CODES = {"pass": 0, "warn": 0, "fail": 1, "error": 3}


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit(
        "base",
        {
            "pkg/__init__.py": "",
            "pkg/api.py": "__all__ = ['greet', 'Thing']\n\ndef greet(name):\n    return name\n\nclass Thing:\n    def run(self, x):\n        return x\n\ndef _hidden():\n    pass\n",
            "docs/index.md": "# docs\n",
            "CHANGELOG.md": "# changes\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    return git_repo


def _scenarios(repo: GitRepo, **docs: str) -> None:
    for name, text in docs.items():
        repo.write(f"evals/{name}.yml", text)


def _run(cli, repo: GitRepo, *extra: str) -> tuple[int, dict]:
    res = cli(
        "eval", "run", "--base", "main", "--format", "json", "--no-record", "-C", str(repo.path), *extra
    )
    assert res.err == "" or res.code != 2, res.err
    data = json.loads(res.out)
    assert res.code == CODES[data["status"]]
    return res.code, data


def _by_id(data: dict) -> dict[str, dict]:
    return {s["id"]: s for s in data["details"]["report"]["scenarios"]}


def test_command_assertions_timeout_missing_and_env(
    cli, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_THING", "hidden")
    monkeypatch.setenv("ALLOWED_THING", "seen")
    repo.commit("x", {"pkg/x.py": "X = 1\n"})
    _scenarios(
        repo,
        ok="""id: cmd.ok@v1
checks:
  - type: command
    run: "printf '{\\"n\\": 3}'"
    expect:
      - contains: '"n"'
      - not-contains: error
      - regex: '\\d'
      - equals: '{"n": 3}'
      - json_schema: {type: object, required: [n]}
      - not-json_schema: {type: array}
  - type: command
    run: 'echo "[$SECRET_THING][$ALLOWED_THING][$SET]"'
    env_allow: [ALLOWED_THING]
    env: {SET: given}
    expect: [{equals: '[][seen][given]'}]
  - type: command
    run: 'pwd'
    cwd: pkg
    expect: [{regex: 'pkg$'}]
  - {type: command, run: 'exit 3', exit_code: 3}
""",
        bad="""id: cmd.bad@v1
timeout: 0.5
checks:
  - {type: command, id: hang, run: 'sleep 30'}
  - {type: command, id: missing, run: 'definitely-not-a-command-42'}
  - {type: command, id: wrong, run: 'echo hello', expect: [{not-contains: hello}]}
  - {type: command, id: exit, run: 'echo boom >&2; exit 2'}
  - {type: command, id: nocwd, run: 'true', cwd: nowhere}
""",
    )
    code, data = _run(cli, repo)
    scenarios = _by_id(data)
    assert scenarios["cmd.ok@v1"]["score"] == 1.0, scenarios["cmd.ok@v1"]
    bad = {c["name"]: c for c in scenarios["cmd.bad@v1"]["checks"]}
    assert "timed out after 0.5 s" in bad["hang"]["message"]
    assert bad["missing"]["message"] == "command not found: definitely-not-a-command-42"
    assert "not-contains 'hello'" in bad["wrong"]["message"]
    assert "exited 2 (expected 0): boom" in bad["exit"]["message"]
    assert "could not start" in bad["nocwd"]["message"]
    assert scenarios["cmd.bad@v1"]["score"] == 0.0
    # The suite mean is 0.5: the gate fails; the failed scenario is named with its reasons.
    assert code == 1
    assert data["score"] == 0.5
    assert any("cmd.bad@v1" in r["message"] and "timed out" in r["message"] for r in data["reasons"])


def test_json_schema_check(cli, repo: GitRepo) -> None:
    repo.write("out/report.json", json.dumps({"score": 0.9}))
    repo.write(
        "schema.json",
        json.dumps(
            {
                "type": "object",
                "properties": {"score": {"type": "number", "maximum": 1}},
                "required": ["score"],
            }
        ),
    )
    repo.write("bad.json", json.dumps({"score": "high"}))
    _scenarios(
        repo,
        a="""id: js@v1
checks:
  - {type: json_schema, id: good, file: out/report.json, schema: schema.json}
  - {type: json_schema, id: bad, file: bad.json, schema: schema.json}
  - {type: json_schema, id: absent, file: nope.json, schema: {type: object}}
""",
    )
    _, data = _run(cli, repo)
    checks = {c["name"]: c for c in _by_id(data)["js@v1"]["checks"]}
    assert checks["good"]["status"] == "pass"
    assert "at $.score: 'high' is not of type 'number'" in checks["bad"]["message"]
    assert checks["absent"]["status"] == "fail" and "nope.json" in checks["absent"]["message"]


def _gate_file(run_dir: Path, result: GateResult) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / f"{result.gate}.json").write_text(result.model_dump_json(), encoding="utf-8")


GATES = """id: gates@v1
checks:
  - {type: risk_score_max, max: 0.5}
  - {type: policy_clean}
  - {type: coverage_min, min: 0.8}
"""


def test_gate_checks_read_the_run_folder(cli, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = repo.path / ".maestro" / "runs" / "r1"
    monkeypatch.setenv("MAESTRO_RUN_ID", "r1")
    _scenarios(repo, g=GATES)
    _gate_file(run_dir, GateResult(gate="risk", status=Status.PASS, score=0.3))
    _gate_file(
        run_dir, GateResult(gate="policy", status=Status.WARN, reasons=[Reason(code="p", message="soft")])
    )
    _gate_file(
        run_dir, GateResult(gate="coverage", status=Status.PASS, metrics={"changed_line_coverage": 0.9})
    )
    code, data = _run(cli, repo)
    assert code == 0, data
    _gate_file(
        run_dir,
        GateResult(gate="risk", status=Status.FAIL, score=0.7, reasons=[Reason(code="r", message="big")]),
    )
    _gate_file(
        run_dir,
        GateResult(gate="policy", status=Status.FAIL, reasons=[Reason(code="p", message="denied path")]),
    )
    _gate_file(run_dir, GateResult(gate="coverage", status=Status.PASS, score=0.5))
    code, data = _run(cli, repo)
    checks = [c["message"] for c in _by_id(data)["gates@v1"]["checks"]]
    assert checks == [
        "risk score 0.700 > max 0.500",
        "policy fail: denied path",
        "changed-line coverage 50.0% < min 80.0%",
    ]
    assert code == 1
    (run_dir / "risk.json").write_text("{not json", encoding="utf-8")
    _, data = _run(cli, repo)
    assert "is not a valid gate result" in _by_id(data)["gates@v1"]["checks"][0]["message"]


def _fake_cli(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "maestro-ci"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_gate_checks_compute_when_absent_and_fail_closed(
    cli, repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAESTRO_RUN_ID", "r2")
    _scenarios(repo, g=GATES.replace("  - {type: coverage_min, min: 0.8}\n", ""))
    bin_dir = tmp_path / "bin"
    risk = GateResult(gate="risk", status=Status.PASS, score=0.2).model_dump_json()
    _fake_cli(
        bin_dir,
        f"""echo "$@" >> "{tmp_path}/calls"
case "$1" in
  risk) echo '{risk}' ;;
  policy) echo 'policy crashed' >&2; exit 3 ;;
esac
""",
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    code, data = _run(cli, repo)
    checks = _by_id(data)["gates@v1"]["checks"]
    assert checks[0]["status"] == "pass" and checks[0]["message"] == "risk score 0.200 ≤ max 0.500"
    assert checks[1]["status"] == "fail"
    assert "exited 3 without a gate result: policy crashed" in checks[1]["message"]
    assert code == 1
    calls = (tmp_path / "calls").read_text()
    assert "risk --format json --no-record --base main --head HEAD" in calls


def test_structured_requirements_on_the_change(cli, repo: GitRepo) -> None:
    repo.commit(
        "change api",
        {
            "pkg/api.py": "__all__ = ['greet', 'Thing']\n\ndef greet(name, loud=False):\n    return name\n\nclass Thing:\n    pass\n",
            "docs/api.md": "greet\n",
        },
    )
    _scenarios(
        repo,
        r="""id: req@v1
checks:
  - type: structured_requirements
    partial_credit: true
    require:
      - does not change public API
      - updates the changelog
      - {touches_only: ['pkg/**']}
      - {docs_updated_for: ['pkg/**']}
""",
    )
    _, data = _run(cli, repo)
    check = _by_id(data)["req@v1"]["checks"][0]
    found = check["details"]["requirements"]
    assert "removed pkg/api.py:Thing.run" in found["does not change public API"]
    assert "changed signature of pkg/api.py:greet" in found["does not change public API"]
    assert found["updates the changelog"].startswith("not met")
    assert "docs/api.md" in found["touches_only"]
    assert found["docs_updated_for"].startswith("met")
    assert check["score"] == 0.25


def test_requirements_pass_when_met(cli, repo: GitRepo) -> None:
    repo.commit(
        "ok",
        {
            "pkg/api.py": repo.path.joinpath("pkg/api.py").read_text() + "\ndef extra():\n    pass\n",
            "CHANGELOG.md": "# changes\n- extra\n",
        },
    )
    _scenarios(
        repo,
        r="""id: req@v1
checks:
  - type: structured_requirements
    require: [no_public_api_change, changelog_updated, {touches_only: ['pkg/**', 'CHANGELOG.md']}, {docs_updated_for: ['other/**']}]
""",
    )
    code, data = _run(cli, repo)
    assert code == 0, data
    assert "added pkg/api.py:extra" not in _by_id(data)["req@v1"]["checks"][0]["message"]


def test_repeat_pass_rate_variants_holdout_and_required(cli, repo: GitRepo, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    _scenarios(
        repo,
        flaky=f"""id: flaky@v1
repeat: 4
pass_rate: 0.5
checks:
  - {{type: command, run: 'n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; [ $((n % 2)) -eq 0 ]'}}
""",
        robust="""id: robust@v1
required: true
variants:
  - {name: shouty, env: {MODE: LOUD}}
checks:
  - {type: command, run: 'test "$MODE" != LOUD'}
  - {type: command, run: 'true'}
""",
        held="""id: held@v1
holdout: true
checks: [{type: command, run: 'false'}]
""",
    )
    code, data = _run(cli, repo)
    s = _by_id(data)
    assert s["flaky@v1"]["runs"] == 4 and s["flaky@v1"]["runs_passed"] == 2
    assert s["flaky@v1"]["status"] == "pass" and s["flaky@v1"]["score"] == 0.5
    assert s["robust@v1"]["robustness_delta"] == 0.5
    assert s["robust@v1"]["variants"][0]["failing"]
    report = data["details"]["report"]
    assert report["holdout_score"] == 0.0
    assert report["generalisation_gap"] == report["suite_score"]
    assert data["metrics"]["holdout_scenarios"] == 1
    codes = {r["code"] for r in data["reasons"]}
    assert "evals.robustness" in codes
    assert code == 1


def test_required_scenario_failing_blocks(cli, repo: GitRepo) -> None:
    _scenarios(
        repo,
        **{f"ok{i}": f"id: ok{i}@v1\nchecks: [{{type: command, run: 'true'}}]\n" for i in range(9)},
        req="id: req@v1\nrequired: true\nchecks: [{type: command, run: 'false'}]\n",
    )
    code, data = _run(cli, repo)
    assert data["score"] == 0.9
    assert code == 1
    assert [r["code"] for r in data["reasons"]] == ["evals.required-failed"]
    code, data = _run(cli, repo, "--scenario", "ok1@v1", "--jobs", "2")
    assert code == 0 and data["metrics"]["scenarios"] == 1
    res = cli("eval", "run", "--scenario", "ok@v1", "--no-record", "-C", str(repo.path))
    assert res.code == 2 and "did you mean" in res.err


def test_baseline_regressions_new_and_removed(cli, repo: GitRepo, tmp_path: Path) -> None:
    _scenarios(
        repo,
        a="id: a@v1\nchecks: [{type: command, run: 'true'}, {type: command, run: 'false'}]\n",
        b="id: b@v1\nchecks: [{type: command, run: 'true'}]\n",
    )
    baseline = {
        "threshold": 0.85,
        "suite_score": 1.0,
        "scenarios": [
            {"id": "a@v1", "file": "evals/a.yml", "status": "pass", "score": 1.0, "threshold": 0.5},
            {"id": "gone@v1", "file": "evals/g.yml", "status": "pass", "score": 1.0, "threshold": 0.5},
        ],
    }
    base_file = tmp_path / "base.json"
    base_file.write_text(json.dumps({"gate": "evals", "status": "pass", "details": {"report": baseline}}))
    _, data = _run(cli, repo, "--baseline", str(base_file))
    report = data["details"]["report"]
    assert report["regressions"] == [{"id": "a@v1", "baseline": 1.0, "score": 0.5, "delta": 0.5}]
    assert report["new"] == ["b@v1"] and report["removed"] == ["gone@v1"]
    assert any("dropped from 1.000 to 0.500" in r["message"] for r in data["reasons"])
    res = cli(
        "eval",
        "run",
        "--base",
        "main",
        "--baseline",
        str(base_file),
        "--format",
        "markdown",
        "--no-record",
        "-C",
        str(repo.path),
    )
    assert f"Baseline `{base_file}`: 1 regression(s); new: b@v1; removed: gone@v1" in res.out
    base_file.write_text("{}")
    res = cli("eval", "run", "--baseline", str(base_file), "--no-record", "-C", str(repo.path))
    assert res.code == 2 and "not eval results" in res.err


def test_scenario_error_fails_closed(cli, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from maestro_ci.jobs import evals_checks

    def boom(*_: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setitem(evals_checks.RUNNERS, "command", boom)
    _scenarios(repo, a="id: a@v1\nchecks: [{type: command, run: 'true'}]\n")
    res = cli("eval", "run", "--base", "main", "--no-record", "-C", str(repo.path))
    assert res.code == 3
    assert "verdict: error (exit 3)" in res.out
    assert "kaput" in res.out


def test_tests_pass_needs_results_and_bad_junit(cli, repo: GitRepo) -> None:
    repo.write("broken.xml", "<testsuite><testcase")
    repo.write("other.xml", "<html/>")
    _scenarios(
        repo,
        t="""id: t@v1
fixtures: [{failing_tests: 'tests/test_a.py::test_x'}]
checks:
  - {type: tests_pass, id: none}
  - {type: tests_pass, id: broken, junit: broken.xml}
  - {type: tests_pass, id: other, junit: other.xml}
  - {type: tests_pass, id: gone, junit: missing-*.xml}
""",
    )
    _, data = _run(cli, repo)
    checks = {c["name"]: c["message"] for c in _by_id(data)["t@v1"]["checks"]}
    assert checks["none"].startswith("no JUnit results")
    assert "not well-formed XML" in checks["broken"]
    assert "HTML page, not JUnit XML" in checks["other"]
    assert "JUnit file not found" in checks["gone"]


def test_list_coverage_and_markdown_tile(cli, repo: GitRepo) -> None:
    _scenarios(
        repo,
        a="id: a@v1\ntags: [smoke]\nprompt: fixer\nchecks: [{type: command, run: 'true'}]\n",
        b="id: b@v1\nprompt: fixer\nholdout: true\nchecks: [{type: command, run: 'true'}]\n",
    )
    res = cli("eval", "list", "--tag", "smoke", "-C", str(repo.path))
    assert res.out.startswith("a@v1  evals/a.yml  tags=smoke  prompt=fixer")
    res = cli("eval", "list", "--format", "json", "-C", str(repo.path))
    assert [r["id"] for r in json.loads(res.out)] == ["a@v1", "b@v1"]
    res = cli("eval", "coverage", "--no-record", "-C", str(repo.path))
    assert res.code == 0 and "prompt 'fixer' has 2 scenario(s), fewer than 3" in res.out
    res = cli("eval", "run", "--base", "main", "--format", "markdown", "--no-record", "-C", str(repo.path))
    assert res.code == 0
    assert "| PR Eval Score | threshold | verdict |" in res.out
    assert "| **1.000** | 0.850 | ✅ pass |" in res.out
    assert "**Holdout** (not in the suite score): 1.000, generalisation gap +0.000" in res.out


def test_no_scenarios_and_no_git(cli, tmp_path: Path) -> None:
    (tmp_path / "evals").mkdir()
    res = cli("eval", "run", "--no-record", "-C", str(tmp_path))
    assert res.code == 1 and "no eval scenario was run" in res.out
    (tmp_path / "evals" / "p.yml").write_text("id: p@v1\nchecks: [{type: patch_applies}]\n")
    res = cli("eval", "run", "--no-record", "-C", str(tmp_path))
    assert res.code == 1 and "the change's base is unknown" in res.out


def test_coverage_min_from_coverage_data(cli, repo: GitRepo) -> None:
    import coverage

    repo.commit(
        "add code",
        {
            "pkg/calc.py": "def add(a, b):\n    c = a + b\n    return c\n\n\ndef sub(a, b):\n    return a - b\n"
        },
    )
    data = coverage.CoverageData(basename=str(repo.path / "cov.data"))
    data.add_lines({str(repo.path / "pkg/calc.py"): [1, 2, 3, 6]})
    data.write()
    _scenarios(
        repo,
        c="""id: cov@v1
fixtures: [{coverage_data: cov.data}]
checks:
  - {type: coverage_min, id: high, min: 0.9}
  - {type: coverage_min, id: low, min: 0.5}
""",
    )
    _, data_out = _run(cli, repo)
    checks = {c["name"]: c for c in _by_id(data_out)["cov@v1"]["checks"]}
    assert checks["high"]["message"] == "changed-line coverage 80.0% < min 90.0%"
    assert checks["low"]["status"] == "pass"
    (repo.path / "cov.data").write_text("garbage")
    _, data_out = _run(cli, repo)
    assert "coverage data does not load" in _by_id(data_out)["cov@v1"]["checks"][0]["message"]


def test_regression_test_requirement_needs_both_results(cli, repo: GitRepo) -> None:
    repo.commit("t", {"tests/test_new.py": "def test_new():\n    pass\n", "pkg/cmd.py": "X = 1\n"})
    repo.write("head.xml", '<testsuite><testcase classname="tests.test_new" name="test_new"/></testsuite>')
    repo.write("other.xml", '<testsuite><testcase classname="tests.test_old" name="test_old"/></testsuite>')
    repo.write("base.xml", '<testsuite><testcase classname="tests.test_new" name="test_new"/></testsuite>')
    scenario = """id: r{n}@v1
fixtures: [{{junit: {junit}{base}}}]
checks:
  - type: structured_requirements
    require: [adds regression test, {{docs_updated_for: ['pkg/**']}}]
    partial_credit: true
"""
    _scenarios(
        repo,
        a=scenario.format(n=1, junit="head.xml", base=""),
        b=scenario.format(n=2, junit="other.xml", base=", base_junit: base.xml"),
        c=scenario.format(n=3, junit="head.xml", base=", base_junit: base.xml"),
    )
    _, data = _run(cli, repo)
    found = {sid: s["checks"][0]["details"]["requirements"] for sid, s in _by_id(data).items()}
    assert "no JUnit results of the new tests run against the base" in found["r1@v1"]["adds regression test"]
    assert "have no results in the JUnit files" in found["r2@v1"]["adds regression test"]
    assert "none of the 1 changed test(s) fails on the base" in found["r3@v1"]["adds regression test"]
    assert "pkg/cmd.py changed but no documentation file did" in found["r3@v1"]["docs_updated_for"]
