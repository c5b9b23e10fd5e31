"""End to end on a real git repository: real patches, real pytest runs writing JUnit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVICE_BUG = '''"""Retry helper."""


def attempts(retries: int) -> int:
    return retries


def backoff(step: int) -> float:
    return 0.5 * step
'''
SERVICE_FIX = SERVICE_BUG.replace("return retries", "return retries + 1")
SERVICE_FIX_BREAKS = SERVICE_FIX.replace("return 0.5 * step", "return 1.0 * step")
TEST_BASE = """from server.service import backoff


def test_backoff():
    assert backoff(2) == 1.0
"""
TEST_NEW = (
    TEST_BASE
    + """

def test_should_retry():
    from server.service import attempts

    assert attempts(2) == 3
"""
)
SCENARIO = """id: fix.retry@v1
fixtures:
  - failing_tests: 'tests/test_service.py::test_should_retry'
    context_files: ['server/service.py']
checks:
  - type: patch_applies
  - type: tests_pass
  - type: structured_requirements
    require:
      - 'adds test that reproduces prior failure'
      - 'does not change public API'
scoring:
  exact: 0.5
  tests: 0.5
threshold: 0.85
"""
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _commit(repo: Path, message: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def _pytest(repo: Path, junit: Path, *targets: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *targets],
        cwd=repo,
        env={**ENV, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        check=False,
    )
    assert junit.is_file()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evals-real") / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _commit(
        root,
        "base",
        {
            "server/__init__.py": "",
            "server/service.py": SERVICE_BUG,
            "tests/__init__.py": "",
            "tests/test_service.py": TEST_BASE,
            "evals/fix.yml": SCENARIO,
            "conftest.py": "",
        },
    )
    out = root.parent / "junit"
    out.mkdir()
    # The new test, run against the base code: it must fail there.
    (root / "tests/test_service.py").write_text(TEST_NEW, encoding="utf-8")
    _pytest(root, out / "base.xml", "tests/test_service.py")
    _git(root, "checkout", "-q", "--", ".")
    for branch, service, test in (
        ("fix", SERVICE_FIX, TEST_NEW),
        ("breaks", SERVICE_FIX_BREAKS, TEST_NEW),
        ("notest", SERVICE_FIX, TEST_BASE),
    ):
        _git(root, "checkout", "-q", "-b", branch, "main")
        _commit(root, branch, {"server/service.py": service, "tests/test_service.py": test})
        _pytest(root, out / f"{branch}.xml", "tests")
    # A base that moved on: the fix's patch no longer applies to it.
    _git(root, "diff", "main", "fix", "--output", str(out / "fix.patch"))
    _git(root, "checkout", "-q", "-b", "moved", "main")
    _commit(
        root,
        "rewrite",
        {"server/service.py": SERVICE_BUG.replace("return retries", "return max(0, retries)")},
    )
    _git(root, "checkout", "-q", "fix")
    return root


def _run(cli, repo: Path, head: str, *extra: str) -> dict:
    junit = repo.parent / "junit"
    res = cli(
        "eval",
        "run",
        "--base",
        "main",
        "--head",
        head,
        "--junit",
        str(junit / f"{head}.xml"),
        "--base-junit",
        str(junit / "base.xml"),
        "--format",
        "json",
        "--no-record",
        "-C",
        str(repo),
        *extra,
    )
    data = json.loads(res.out)
    assert res.code == {"pass": 0, "warn": 0, "fail": 1, "error": 3}[data["status"]], res.err
    return data


def _scenario(data: dict) -> dict:
    return data["details"]["report"]["scenarios"][0]


def test_correct_fix_scores_one(cli, repo: Path) -> None:
    data = _run(cli, repo, "fix")
    s = _scenario(data)
    assert s["score"] == 1.0, s
    assert data["status"] == "pass"
    assert data["score"] == 1.0
    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas/eval-results.schema.json").read_text()
    )
    jsonschema.Draft202012Validator(schema).validate(data["details"]["report"])
    assert {i["path"].rsplit("/", 1)[-1] for i in data["inputs"]} == {"fix.yml", "fix.xml", "base.xml"}
    reqs = s["checks"][2]["details"]["requirements"]
    assert "test_should_retry" in reqs["adds test that reproduces prior failure"]


def test_fix_that_breaks_a_passing_test(cli, repo: Path) -> None:
    s = _scenario(_run(cli, repo, "breaks"))
    assert s["score"] < s["threshold"]
    tests = next(c for c in s["checks"] if c["type"] == "tests_pass")
    assert tests["status"] == "fail"
    assert "tests/test_service.py::test_backoff failed (pass_to_pass" in tests["message"]
    assert all(c["status"] == "pass" for c in s["checks"] if c["type"] != "tests_pass")


def test_change_without_regression_test(cli, repo: Path) -> None:
    s = _scenario(_run(cli, repo, "notest"))
    assert s["score"] < s["threshold"]
    req = next(c for c in s["checks"] if c["type"] == "structured_requirements")
    assert req["status"] == "fail"
    assert "adds test that reproduces prior failure" in req["message"]
    assert "no test file was added or changed" in req["message"]


def test_patch_that_does_not_apply(cli, repo: Path, tmp_path: Path) -> None:
    junit = repo.parent / "junit"
    scenario = tmp_path / "evals" / "patch.yml"
    scenario.parent.mkdir()
    scenario.write_text(
        SCENARIO.replace("id: fix.retry@v1", "id: patch.moved@v1").replace(
            "    context_files:", f"    patch: {junit / 'fix.patch'}\n    base: moved\n    context_files:"
        ),
        encoding="utf-8",
    )
    (tmp_path / ".maestro.yml").write_text(f"evals:\n  dir: {scenario.parent}\n", encoding="utf-8")
    res = cli(
        "eval",
        "run",
        "--config",
        str(tmp_path / ".maestro.yml"),
        "--base",
        "main",
        "--head",
        "fix",
        "--junit",
        str(junit / "fix.xml"),
        "--base-junit",
        str(junit / "base.xml"),
        "--format",
        "json",
        "--no-record",
        "-C",
        str(repo),
    )
    assert res.code == 1, res.err
    s = _scenario(json.loads(res.out))
    patch = s["checks"][0]
    assert patch["status"] == "fail"
    assert "does not apply to moved" in patch["message"]
    assert patch["details"]["method"] == "none"
    assert s["score"] < s["threshold"]


def test_patch_applies_only_three_way(repo: Path, tmp_path: Path) -> None:
    from maestro_ci.sources.eval_workspace import Workspace

    # Context shifted by unrelated lines at the top: plain apply fails, 3-way works.
    _git(repo, "checkout", "-q", "-b", "shifted", "main")
    _commit(
        repo,
        "shift",
        {
            "server/service.py": SERVICE_BUG.replace(
                '"""Retry helper."""', '"""Retry helper.\n\nMore."""\nX = 1'
            )
        },
    )
    _git(repo, "checkout", "-q", "fix")
    patch = tmp_path / "p.patch"
    patch.write_text(
        _git(repo, "diff", "main", "fix", "--", "server/service.py").replace("@@ -1,", "@@ -3,"),
        encoding="utf-8",
    )
    ws = Workspace(root=repo, base="shifted", head="fix", run_dir=tmp_path, env=dict(os.environ))
    out = ws.patch_check(str(patch), "shifted", "fix", three_way=True)
    assert out.applies, out.message
    assert out.method in ("apply", "3way")
    assert ws.patch_check(None, "main", "fix", three_way=False).method == "apply"


def test_broken_junit_flag_is_bad_input(cli, repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<testsuite>")
    res = cli("eval", "run", "--base", "main", "--junit", str(bad), "--no-record", "-C", str(repo))
    assert res.code == 2
    assert f"{bad}:1:12: not well-formed XML" in res.err
