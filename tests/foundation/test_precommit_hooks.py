"""The hooks in ``.pre-commit-hooks.yaml``, run for real by pre-commit on temp repositories.

The worktree is copied (tracked and untracked, not ignored files) into a
session-scoped git repository and committed once. Each test writes the
configuration ``pre-commit try-repo`` would generate (that repository, as a
relative path, at that commit, one hook) and runs ``pre-commit run`` with a
session-scoped ``PRE_COMMIT_HOME``; one test runs ``pre-commit try-repo``
itself, in-process, pointed at the same store (try-repo otherwise keeps its
store in a fresh temp folder). So the hook environment (a pip install of
maestro-ci, offline from the session wheelhouse) is built once per session.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from maestro_ci.cli import COMMANDS, build_parser, load_command
from tests.conftest import GitRepo, make_repo
from tests.foundation.conftest import GIT_ID, Snapshot, offline_pip_env

MANIFEST = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
# Commands a hook may call that are not registered in this build (none now).
PENDING_COMMANDS: set[str] = set()


def hooks() -> list[dict[str, object]]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@dataclass
class HookRunner:
    snapshot: Path
    rev: str
    home: Path
    wheelhouse: Path

    def new_repo(self, name: str) -> GitRepo:
        """A user repository at a fixed place relative to the snapshot: pre-commit keys its
        store by the repository path as written (try-repo writes it relative), so every
        test then finds the same environment."""
        return make_repo(self.snapshot.parent / "users" / name)

    def repo_ref(self, repo: GitRepo) -> str:
        return os.path.relpath(self.snapshot, repo.path)

    def run(self, repo: GitRepo, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
        config = {"repos": [{"repo": self.repo_ref(repo), "rev": self.rev, "hooks": [{"id": hook}]}]}
        (repo.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        repo.git("add", "-A")
        selection = ["--files", *files] if files else ["--all-files"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MAESTRO_", "GITHUB_"))}
        env.update(GIT_ID, PRE_COMMIT_HOME=str(self.home), PRE_COMMIT_COLOR="never")
        env.update(offline_pip_env(self.wheelhouse))
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", hook, *selection],
            cwd=repo.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="session")
def hook_runner(
    worktree_snapshot: Snapshot, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> HookRunner:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return HookRunner(worktree_snapshot.path, worktree_snapshot.rev, home, wheelhouse)


def test_manifest_has_the_three_hooks() -> None:
    ids = {str(h["id"]) for h in hooks()}
    assert ids == {"maestro-secrets", "maestro-validate", "maestro-policy"}
    policy = next(h for h in hooks() if h["id"] == "maestro-policy")
    assert policy["pass_filenames"] is False
    assert policy["require_serial"] is True
    assert policy["always_run"] is True


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: str(h["id"]))
def test_every_hook_entry_parses_with_the_cli(hook: dict[str, object]) -> None:
    argv = shlex.split(str(hook["entry"]))
    assert argv[0] == "maestro-ci"
    command, rest = argv[1], argv[2:]
    if command not in COMMANDS:
        if command in PENDING_COMMANDS:
            pytest.skip(f"command '{command}' is built on another branch")
        pytest.fail(f"hook {hook['id']} calls unknown command '{command}'")
    parser = build_parser(command, load_command(command))
    files = ["some/file.py"] if hook.get("pass_filenames", True) else []
    ns = parser.parse_args([*rest, *files])
    assert ns.no_record is True
    if hook.get("pass_filenames", True):
        assert "--help" not in rest


@pytest.mark.slow
def test_secrets_hook_blocks_a_secret_and_passes_clean_files(hook_runner: HookRunner, tmp_path: Path) -> None:
    repo = hook_runner.new_repo(tmp_path.name)
    repo.write("app.py", "def add(a, b):\n    return a + b\n")
    repo.write("notes.md", "nothing to see\n")
    ok = hook_runner.run(repo, "maestro-secrets", "app.py", "notes.md")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2
    repo.write("settings.py", f"GITHUB_TOKEN = '{token}'\n")
    bad = hook_runner.run(repo, "maestro-secrets", "app.py", "settings.py")
    assert bad.returncode == 1
    assert "exit code: 1" in bad.stdout
    assert "settings.py:1: github-token" in bad.stdout
    assert token not in bad.stdout + bad.stderr


@pytest.mark.slow
def test_validate_hook_checks_config_files_only(hook_runner: HookRunner, tmp_path: Path) -> None:
    repo = hook_runner.new_repo(tmp_path.name)
    repo.write(".maestro.yml", "version: 1\nmask:\n  replacement: '[hidden]'\n")
    repo.write("docs/other.yml", "this: [is not config\n")  # not matched by the hook's files
    ok = hook_runner.run(repo, "maestro-validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout

    repo.write(".maestro.yml", "version: 1\nmask:\n  replacment: '[hidden]'\n")
    bad = hook_runner.run(repo, "maestro-validate")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "exit code: 2" in bad.stdout  # bad input, not a blocked gate
    assert ".maestro.yml:3" in bad.stdout
    assert "replacement" in bad.stdout  # the did-you-mean


@pytest.mark.slow
def test_policy_hook_blocks_a_denied_staged_change(hook_runner: HookRunner, tmp_path: Path) -> None:
    repo = hook_runner.new_repo(tmp_path.name)
    repo.commit(
        "rules",
        {
            "policy/rules.yaml": (
                "deny:\n  - path: 'infra/**'\n    actions: ['write']\n"
                "    reason: 'Infra changes require human review.'\n"
            ),
            "server/app.py": "x = 1\n",
        },
    )
    repo.write("server/app.py", "x = 2\n")
    ok = hook_runner.run(repo, "maestro-policy")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout

    repo.write("infra/main.tf", "resource {}\n")
    bad = hook_runner.run(repo, "maestro-policy")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "exit code: 1" in bad.stdout  # a blocked gate, not bad input
    assert "infra/main.tf" in bad.stdout
    assert "Infra changes require human review." in bad.stdout


@pytest.mark.slow
def test_try_repo_runs_a_hook_from_the_repository(
    hook_runner: HookRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``pre-commit try-repo`` itself, in-process. try-repo keeps its store in a fresh temp
    folder (it would rebuild the environment on every call); here it is pointed at the
    session's store, so the environment built for the other tests is reused."""
    import pre_commit.commands.try_repo as try_repo
    from pre_commit.main import main as pre_commit_main
    from pre_commit.store import Store

    repo = hook_runner.new_repo(tmp_path.name)
    token = "xoxb-" + "1234567890" + "-" + "AbCdEfGhIjKlMnOpQrStUvWx"
    repo.write("clean.txt", "nothing here\n")
    repo.write("leak.txt", f"slack = {token}\n")
    repo.git("add", "-A")
    hook_runner.run(repo, "maestro-secrets", "clean.txt")  # builds the environment if no test did
    monkeypatch.setattr(try_repo, "Store", lambda _tempdir: Store(str(hook_runner.home)))
    for name, value in {**offline_pip_env(hook_runner.wheelhouse), "PRE_COMMIT_COLOR": "never"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(repo.path)
    capfd.readouterr()
    code = pre_commit_main(
        [
            "try-repo",
            str(hook_runner.snapshot),
            "maestro-secrets",
            "--ref",
            hook_runner.rev,
            "--files",
            "clean.txt",
            "leak.txt",
        ]
    )
    out = capfd.readouterr().out
    assert code == 1, out
    assert "leak.txt:1: slack-token" in out
    assert "clean.txt" not in out.split("- exit code: 1", 1)[1]
    assert token not in out
