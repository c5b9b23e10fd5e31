"""``maestro-ci policy`` on real git repositories in temp folders."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import maestro_ci
from tests.secret_samples import samples

RULES = """\
allow:
  - path: 'infra/docs/**'
deny:
  - path: 'infra/**'
    reason: 'Infra changes require human review.'
  - id: no-migrations-delete
    path: 'migrations/'
    actions: ['delete', 'rename']
    mode: warn
    reason: 'Applied migrations must stay.'
    fix: 'write a new migration instead.'
  - id: vendored
    path: 'vendor/**'
    mode: observe
content:
  - id: no-breakpoint
    path: 'src/**/*.py'
    regex: 'breakpoint\\(\\)'
    mode: warn
secrets:
  mode: enforce
size:
  max_file_bytes: 2000
  mode: warn
models:
  max_usd_per_pr: 3.00
  max_prompt_tokens: 60000
  max_calls: 5
"""


def base_repo(git_repo, rules: str = RULES):
    git_repo.commit(
        "init",
        {
            "policy/rules.yaml": rules,
            "infra/main.tf": "resource {}\n",
            "infra/docs/readme.md": "docs\n",
            "migrations/0001_init.sql": "create table t();\n",
            "src/app.py": "print('hi')\n",
            "vendor/lib.js": "x\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    return git_repo


def run_json(cli, repo, *args: str, env: dict[str, str] | None = None, monkeypatch=None):
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    res = cli("policy", "--base", "main", "--no-record", "--format", "json", *args, cwd=repo.path)
    assert res.code in (0, 1), res.err
    return res.code, json.loads(res.out)


def codes(data) -> list[tuple[str, str]]:
    return sorted((r["code"], r["severity"]) for r in data["reasons"])


def test_clean_change_passes(cli, git_repo) -> None:
    repo = base_repo(git_repo)
    repo.commit("docs", {"infra/docs/readme.md": "more docs\n", "src/app.py": "print('bye')\n"})
    code, data = run_json(cli, repo)
    assert code == 0 and data["status"] == "pass" and data["reasons"] == []
    assert data["metrics"]["changed_files"] == 2
    assert data["inputs"][0]["path"] == "policy/rules.yaml"


def test_enforce_warn_observe_and_locations(cli, git_repo) -> None:
    repo = base_repo(git_repo)
    repo.git("mv", "migrations/0001_init.sql", "migrations/0001_renamed.sql")
    repo.commit(
        "change",
        {
            "infra/main.tf": "resource { changed }\n",
            "vendor/lib.js": "y\n",
            "src/app.py": "print('hi')\nbreakpoint()\n",
            "src/big.bin": b"\x00" * 5000,
        },
    )
    code, data = run_json(cli, repo)
    assert code == 1 and data["status"] == "fail"
    assert codes(data) == [
        ("policy.deny-infra", "fail"),
        ("policy.no-breakpoint", "warn"),
        ("policy.no-migrations-delete", "warn"),
        ("policy.size", "warn"),
        ("policy.vendored", "pass"),
    ]
    by_code = {r["code"]: r for r in data["reasons"]}
    assert by_code["policy.no-breakpoint"]["location"]["line"] == 2
    assert by_code["policy.no-breakpoint"]["location"]["file"] == "src/app.py"
    assert (
        "migrations/0001_init.sql → migrations/0001_renamed.sql"
        in by_code["policy.no-migrations-delete"]["message"]
    )
    assert by_code["policy.no-migrations-delete"]["fix"] == "write a new migration instead."
    assert "binary file of 5,000 bytes" in by_code["policy.size"]["message"]
    assert "Infra changes require human review." in by_code["policy.deny-infra"]["message"]
    assert all(r["fix"] for r in data["reasons"])


def test_warn_only_exits_zero_and_deletion_is_seen(cli, git_repo) -> None:
    repo = base_repo(git_repo)
    repo.git("rm", "-q", "migrations/0001_init.sql")
    repo.commit("drop")
    code, data = run_json(cli, repo)
    assert code == 0 and data["status"] == "warn"
    assert "delete denied" in data["reasons"][0]["message"]


def test_override_with_and_without_justification(cli, git_repo, monkeypatch) -> None:
    repo = base_repo(git_repo)
    repo.commit("infra", {"infra/main.tf": "changed\n"})
    monkeypatch.setenv("USER", "alice")
    code, data = run_json(
        cli, repo, env={"MAESTRO_OVERRIDE": "deny-infra: approved in INC-42"}, monkeypatch=monkeypatch
    )
    assert code == 0 and data["status"] == "pass"
    assert data["overrides"] == [
        {
            "rule": "deny-infra",
            "granted_by": "MAESTRO_OVERRIDE (set by alice)",
            "justification": "approved in INC-42",
            "source": "env",
        }
    ]
    assert data["reasons"][0]["message"].startswith("[overridden]")
    code, data = run_json(cli, repo, env={"MAESTRO_OVERRIDE": "deny-infra"}, monkeypatch=monkeypatch)
    assert code == 1 and data["overrides"] == []
    assert ("policy.override-refused", "warn") in codes(data)
    monkeypatch.setenv("MAESTRO_OVERRIDE", "deny-infr: typo")
    res = cli("policy", "--base", "main", "--no-record", cwd=repo.path)
    assert res.code == 2 and "did you mean 'deny-infra'" in res.err


def test_override_by_pull_request_label(cli, git_repo, monkeypatch, tmp_path: Path) -> None:
    repo = base_repo(git_repo)
    repo.commit("infra", {"infra/main.tf": "changed\n"})
    event = tmp_path / "event.json"
    body = "Fixes the VPC.\n\nmaestro-override: deny-infra: reviewed by the platform team\n"
    event.write_text(
        json.dumps({"pull_request": {"labels": [{"name": "maestro-override:deny-infra"}], "body": body}}),
        encoding="utf-8",
    )
    env = {"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "pull_request"}
    code, data = run_json(cli, repo, env=env, monkeypatch=monkeypatch)
    assert code == 0, data
    assert data["overrides"][0]["source"] == "label"
    assert data["overrides"][0]["granted_by"] == "pull-request label 'maestro-override:deny-infra'"
    event.write_text(
        json.dumps(
            {"pull_request": {"labels": [{"name": "maestro-override:deny-infra"}], "body": "no reason"}}
        ),
        encoding="utf-8",
    )
    code, data = run_json(cli, repo, env=env, monkeypatch=monkeypatch)
    assert code == 1 and ("policy.override-refused", "warn") in codes(data)


def test_budgets_from_usage_file(cli, git_repo) -> None:
    repo = base_repo(git_repo)
    repo.commit("x", {"src/app.py": "print(1)\n"})
    usage = repo.path / "usage.jsonl"
    usage.write_text(
        "".join(
            json.dumps({"model": "m", "prompt_tokens": 40000, "cost_usd": 1.75}) + "\n" for _ in range(2)
        ),
        encoding="utf-8",
    )
    code, data = run_json(cli, repo, "--usage", str(usage))
    assert code == 1
    messages = sorted(r["message"] for r in data["reasons"])
    assert messages == [
        "model prompt tokens 80,000 exceeds the cap of 60,000: automated agents must stay within "
        "the model budget per change",
        "model spend $3.50 exceeds the cap of $3.00: automated agents must stay within the model "
        "budget per change",
    ]
    assert data["metrics"]["usage_usd"] == 3.5 and data["metrics"]["usage_calls"] == 2
    usage.write_text('{"model": "m"}\n{"model": "m", "cost_usd": "lots"}\n', encoding="utf-8")
    res = cli("policy", "--base", "main", "--usage", str(usage), "--no-record", cwd=repo.path)
    assert res.code == 2 and "usage.jsonl:2" in res.err and "record 2" in res.err


def test_secrets_rule_respects_allow_comment_and_baseline(cli, git_repo) -> None:
    repo = base_repo(git_repo)
    line, secret = samples()["github-token"]
    repo.commit(
        "x", {"src/settings.py": f"{line}\nOTHER = 1\n", "src/ok.py": f"{line}  # maestro: allow-secret\n"}
    )
    res = cli("policy", "--base", "main", "--no-record", "--format", "json", cwd=repo.path)
    assert res.code == 1 and secret not in res.out
    data = json.loads(res.out)
    assert codes(data) == [("policy.secrets", "fail")]
    assert data["reasons"][0]["location"]["file"] == "src/settings.py"
    res = cli("secrets", "scan", "src", "--update-baseline", "--no-record", cwd=repo.path)
    assert res.code == 0
    baseline = (repo.path / ".maestro-secrets-baseline.json").read_text()
    assert secret not in baseline
    code, data = run_json(cli, repo)
    assert code == 0


def test_staged_mode_and_sarif(cli, git_repo, tmp_path: Path) -> None:
    repo = base_repo(git_repo)
    repo.write("infra/new.tf", "x\n")
    repo.write("src/app.py", "breakpoint()\n")
    repo.git("add", "infra/new.tf", "src/app.py")
    repo.write("vendor/lib.js", "unstaged change\n")
    sarif = tmp_path / "out.sarif"
    res = cli("policy", "--staged", "--no-record", "--format", "json", "--sarif", str(sarif), cwd=repo.path)
    assert res.code == 1, res.err
    data = json.loads(res.out)
    assert codes(data) == [("policy.deny-infra", "fail"), ("policy.no-breakpoint", "warn")]
    doc = json.loads(sarif.read_text(encoding="utf-8"))
    schema_path = Path(maestro_ci.__file__).parent / "data" / "sarif-2.1.0.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"deny-infra", "no-breakpoint"}
    assert {r["level"] for r in results} == {"error", "warning"}
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == results[0]["ruleId"]
    res = cli("policy", "--staged", "--base", "main", "--no-record", cwd=repo.path)
    assert res.code == 2


def test_sarif_with_suppression_is_valid(cli, git_repo, monkeypatch) -> None:
    repo = base_repo(git_repo)
    repo.commit("infra", {"infra/main.tf": "changed\n", "src/app.py": "breakpoint()\n"})
    monkeypatch.setenv("MAESTRO_OVERRIDE", "deny-infra: approved")
    res = cli("policy", "--base", "main", "--no-record", "--format", "sarif", cwd=repo.path)
    doc = json.loads(res.out)
    schema = json.loads((Path(maestro_ci.__file__).parent / "data" / "sarif-2.1.0.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    suppressed = [r for r in doc["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed[0]["suppressions"][0]["justification"] == "approved"


OWNERS_RULES = """\
owners:
  - id: owned
    require_owner: true
    mode: warn
  - id: security-review
    review_by: ['@org/security']
    max_owners: 1
"""


@pytest.mark.parametrize("location", [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"])
def test_codeowners_edge_cases(cli, git_repo, location: str) -> None:
    owners = (
        "*       @org/dev\n"
        "docs/*  @org/docs\n"  # direct children only
        "/auth/  @org/security\n"
        "auth/generated/\n"  # no owners: clears ownership
    )
    repo = base_repo(git_repo, OWNERS_RULES)
    repo.commit("owners", {location: owners})
    repo.commit(
        "change",
        {
            "docs/a.md": "a\n",
            "docs/deep/b.md": "b\n",
            "auth/login.py": "x\n",
            "auth/generated/c.py": "c\n",
        },
    )
    code, data = run_json(cli, repo)
    found = sorted(
        (r["code"], (r["location"] or {}).get("file") or "", r["message"]) for r in data["reasons"]
    )
    assert [(c, f) for c, f, _ in found] == [
        ("policy.owned", "auth/generated/c.py"),  # a pattern with no owners clears ownership
        ("policy.security-review", ""),  # owner groups touched
        ("policy.security-review", "auth/login.py"),
    ]
    assert "touches 3 owner groups (at most 1): @org/dev; @org/docs; @org/security" in found[1][2]
    assert "owned by @org/security: their approval is required" in found[2][2]
    assert code == 1


@pytest.mark.parametrize(("mode", "status", "code"), [("warn", "warn", 0), ("enforce", "fail", 1)])
def test_missing_codeowners_is_configurable(cli, git_repo, mode: str, status: str, code: int) -> None:
    repo = base_repo(git_repo, OWNERS_RULES)
    repo.commit("cfg", {".maestro.yml": f"policy:\n  missing_codeowners: {mode}\n", "src/x.py": "x\n"})
    got, data = run_json(cli, repo)
    assert (got, data["status"]) == (code, status)
    assert "no CODEOWNERS found" in data["reasons"][0]["message"]


def test_licence_rules_run_when_dependencies_change(cli, git_repo) -> None:
    rules = "deps:\n  deny:\n    - id: no-mpl\n      pattern: 'MPL-*'\n      reason: 'no weak copyleft'\n  unknown: observe\n  pinned: {}\n"
    repo = base_repo(git_repo, rules)
    repo.commit("x", {"src/app.py": "print(2)\n"})
    code, data = run_json(cli, repo)
    assert code == 0 and "dependency rules skipped" in " ".join(data["details"]["notes"])
    repo.commit("deps", {"requirements.txt": "pathspec>=0.12\nPyYAML==6.0.2\n"})
    code, data = run_json(cli, repo)
    assert code == 1
    found = {r["code"]: r["message"] for r in data["reasons"]}
    assert "pathspec" in found["policy.no-mpl"] and "MPL-2.0" in found["policy.no-mpl"]
    assert "'pathspec' is not pinned" in found["policy.deps-pinned"]


def test_markdown_groups_findings_by_rule(cli, git_repo, monkeypatch) -> None:
    repo = base_repo(git_repo)
    repo.commit(
        "change", {"infra/main.tf": "changed\n", "src/app.py": "breakpoint()\n", "vendor/lib.js": "z\n"}
    )
    monkeypatch.setenv("MAESTRO_OVERRIDE", "deny-infra: approved in the design review")
    res = cli("policy", "--base", "main", "--no-record", "--format", "markdown", cwd=repo.path)
    assert res.code == 0, res.err
    assert "**By rule**" in res.out
    rows = [line for line in res.out.splitlines() if line.startswith("| `")]
    assert rows[0].startswith("| `deny-infra` | 🔓 overridden | 1 | Infra changes require human review.")
    assert rows[1].startswith("| `vendored` | 👁️ observe | 1 |")
    assert rows[2].startswith("| `no-breakpoint` | ⚠️ warn | 1 |")
    assert "approved in the design review" in res.out
    repo.commit("clean", {"src/app.py": "print('hi')\n"})
    monkeypatch.delenv("MAESTRO_OVERRIDE")
    res = cli("policy", "--base", "HEAD~1", "--no-record", "--format", "markdown", cwd=repo.path)
    assert "_No rule found anything in this change._" in res.out


def test_worktree_reader_and_declared_requirements(git_repo) -> None:
    from maestro_ci.sources.git import WORKTREE
    from maestro_ci.sources.policy_inputs import BlobReader, declared_requirements

    repo = base_repo(git_repo)
    repo.write("pyproject.toml", '[project]\nname = "x"\ndependencies = ["PyYAML>=6", "pathspec"]\n')
    repo.write("requirements-dev.txt", "pytest==8.0\n")
    reader = BlobReader(repo.path, WORKTREE, ["pyproject.toml"])
    assert reader("pyproject.toml").startswith(b"[project]")
    assert reader.size("requirements-dev.txt") == len("pytest==8.0\n")
    assert reader("missing.txt") is None
    lines, read = declared_requirements(repo.path)
    assert lines == ["PyYAML>=6", "pathspec", "pytest==8.0"]
    assert read == ["pyproject.toml", "requirements-dev.txt"]
    repo.write("pyproject.toml", "[project\n")
    with pytest.raises(Exception, match=r"cannot read pyproject\.toml"):
        declared_requirements(repo.path)


def test_staged_before_the_first_commit(cli, git_repo) -> None:
    git_repo.write("policy/rules.yaml", RULES)
    git_repo.write("infra/main.tf", "x\n")
    git_repo.write("src/app.py", "print(1)\nbreakpoint()\n")
    git_repo.git("add", "-A")
    res = cli("policy", "--staged", "--no-record", "--format", "json", cwd=git_repo.path)
    assert res.code == 1, res.err
    data = json.loads(res.out)
    assert codes(data) == [("policy.deny-infra", "fail"), ("policy.no-breakpoint", "warn")]
    assert data["reasons"][1]["location"]["line"] == 2
