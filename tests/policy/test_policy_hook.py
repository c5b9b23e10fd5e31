"""The ``maestro-policy`` pre-commit hook, run by pre-commit itself on temp repositories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import make_repo

ROOT = Path(__file__).resolve().parents[2]
RULES = "deny:\n  - path: 'infra/**'\n    reason: 'Infra changes require human review.'\n"


def manifest_hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "maestro-policy")


def test_manifest_entry() -> None:
    hook = manifest_hook()
    assert hook["entry"] == "maestro-ci policy --staged --no-record"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["always_run"] is True
    assert hook["language"] == "python"


def _target(tmp_path: Path):
    repo = make_repo(tmp_path / "target")
    repo.commit("init", {"policy/rules.yaml": RULES, "infra/a.tf": "a\n", "server/app.py": "x = 1\n"})
    return repo


def _try_repo(
    hook_repo: Path, target: Path, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    return subprocess.run(
        [str(pre_commit), "try-repo", str(hook_repo), "maestro-policy", *extra],
        cwd=target,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pc-home")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def test_hook_through_pre_commit_positive_and_negative(tmp_path: Path) -> None:
    """The manifest's hook, run by pre-commit with the already-installed maestro-ci (language: system)."""
    hook_repo = make_repo(tmp_path / "hooks")
    hook = {**manifest_hook(), "language": "system"}
    hook_repo.commit("hooks", {".pre-commit-hooks.yaml": yaml.safe_dump([hook])})
    target = _target(tmp_path)
    env = _env(tmp_path)
    target.write("infra/a.tf", "changed\n")
    target.git("add", "infra/a.tf")
    bad = _try_repo(hook_repo.path, target.path, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Infra changes require human review." in bad.stdout
    target.git("reset", "-q", "--hard")
    target.write("server/app.py", "x = 2\n")
    target.git("add", "server/app.py")
    good = _try_repo(hook_repo.path, target.path, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
