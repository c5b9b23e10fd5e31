"""The rules file: the seed file unchanged, every bad input named, random input never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.policy_model import Mode, PolicyRules, load_policy, load_rules
from maestro_ci.validators import loader

SEED = """\
allow:
  - path: 'server/**'
    actions: ['read', 'write']
deny:
  - path: 'infra/**'
    actions: ['write']
    reason: 'Infra changes require human review.'
deps:
  deny:
    - pattern: '/.*GPL.*/i'
      reason: 'GPL-licensed deps violate distribution policy.'
models:
  max_usd_per_pr: 3.00
  max_prompt_tokens: 60000
"""
ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_file_loads_unchanged(tmp_path: Path) -> None:
    rules = loader("policy")(write(tmp_path, SEED))
    assert isinstance(rules, PolicyRules)
    assert rules.models is not None and rules.models.max_usd_per_pr == 3.0
    policy = load_policy(tmp_path / "rules.yaml")
    ids = [r.id for r in policy.rules]
    assert ids == ["allow-server", "deny-infra", "deps-deny-gpl", "deps-unknown-licence", "budget"]
    deny = policy.by_id["deny-infra"]
    assert deny.reason == "Infra changes require human review."
    assert deny.fix  # a default fix is always there
    assert deny.mode is Mode.ENFORCE
    assert deny.matches("infra/a/b.tf") and not deny.matches("server/infra/x")
    gpl = policy.by_id["deps-deny-gpl"]
    assert gpl.regex is not None and gpl.regex.search("lgpl-3.0-only")


def test_project_rules_file_is_valid() -> None:
    load_rules(ROOT / "policy" / "rules.yaml")


def test_validate_command_checks_policy_files(cli, tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "rules.yaml").write_text(SEED, encoding="utf-8")
    res = cli("validate", "--no-record", "-C", str(tmp_path))
    assert res.code == 0, res.out + res.err
    (tmp_path / "policy" / "rules.yaml").write_text(SEED.replace("deny:\n  - path", "deny:\n  - paht"))
    res = cli("validate", "--no-record", "-C", str(tmp_path))
    assert res.code == 2
    assert "rules.yaml:5" in res.err and "'path' is a required property" in res.err


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        (
            "deny:\n  - id: bad-glob\n    path: 'infra\\'\n",
            "rule 'bad-glob': path 'infra\\' is not a valid glob",
            2,
        ),
        ("deny:\n  - path: ''\n", "is empty", 2),
        ("content:\n  - id: rx\n    regex: 'foo(['\n", "rule 'rx': invalid regex 'foo(['", 2),
        ("deps:\n  deny:\n    - pattern: '/GPL(/i'\n", "invalid licence pattern '/GPL(/i'", 3),
        ("deps:\n  deny:\n    - pattern: '/GPL/x'\n", "unsupported regex flag", 3),
        ("deps:\n  deny:\n    - reason: 'x'\n", "needs exactly one of 'pattern' or 'package'", 3),
        ("deps:\n  allow:\n    - package: 'x'\n", "allow takes licence patterns only", 3),
        ("schema_version: 2\ndeny: []\n", "schema_version 2", 1),
        ("deny:\n  - id: a\n    path: x\n  - id: a\n    path: y\n", "rule id 'a' is used twice", 4),
        ("deny:\n  - path: x\n    actions: [wreck]\n", "expected one of", 3),
        ("denny: []\n", "did you mean 'deny'", 1),
        ("deny:\n  - path: x\n    mode: loud\n", "expected one of", 3),
    ],
)
def test_bad_rules_are_named(tmp_path: Path, text: str, needle: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_rules(path)
    err = info.value
    assert needle in err.diagnostics()
    assert err.file == str(path)
    assert err.place == f"line {line}"
    assert err.fix


def test_auto_ids_are_unique(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "deny:\n  - path: a/**\n  - path: a/*\n  - path: b\n"))
    assert [r.id for r in policy.rules] == ["deny-a", "deny-a-2", "deny-b"]


def test_cli_reports_bad_rules_with_exit_2(cli, git_repo) -> None:
    git_repo.commit("init", {"policy/rules.yaml": "content:\n  - id: rx\n    regex: '(('\n", "a.txt": "a"})
    res = cli("policy", "--base", "HEAD", "--no-record", cwd=git_repo.path)
    assert res.code == 2
    assert "rules.yaml:2" in res.err and "rule 'rx'" in res.err
    assert "Traceback" not in res.err
    res = cli("policy", "--base", "HEAD", "--rules", "nope.yaml", "--no-record", cwd=git_repo.path)
    assert res.code == 2 and "rules file not found" in res.err


yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.text(max_size=8)
    | st.sampled_from(["**", "/x/", "(("]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["allow", "deny", "path", "actions", "deps", "pattern", "mode", "regex", "id", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=yaml_values)
def test_random_rule_files_never_crash(tmp_path: Path, data: object) -> None:
    path = write(tmp_path, yaml.safe_dump(data))
    try:
        load_rules(path)
    except InputError as exc:
        assert exc.message
