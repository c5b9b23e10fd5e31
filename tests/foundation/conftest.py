"""Session fixtures for the foundation's packaging tests: one committed copy of the worktree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GIT_ID = {
    "GIT_AUTHOR_NAME": "hooks",
    "GIT_AUTHOR_EMAIL": "hooks@example.invalid",
    "GIT_COMMITTER_NAME": "hooks",
    "GIT_COMMITTER_EMAIL": "hooks@example.invalid",
}


@dataclass(frozen=True)
class Snapshot:
    path: Path
    rev: str


@pytest.fixture(scope="session")
def worktree_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The worktree's tracked and untracked (not ignored) files, committed in a temp repository.

    Installing from this copy (the hook environment, the action's venv) leaves the worktree
    clean, and it includes uncommitted work, so what is tested is what is on disk.
    """
    snapshot = tmp_path_factory.mktemp("snapshot") / "maestro-ci"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            target = snapshot / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = {**os.environ, **GIT_ID, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "--no-verify", "-m", "snapshot"],
    ):
        subprocess.run(["git", *args], cwd=snapshot, env=env, check=True, capture_output=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=snapshot, capture_output=True, text=True, check=True
    ).stdout.strip()
    return Snapshot(snapshot, rev)


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The locked dependencies, downloaded once (hash-checked); installs below use only these.

    The hook environment and the action's venv both install from here with
    ``PIP_NO_INDEX=1``, so the network is used once per session, and a dependency missing
    from ``requirements/action.txt`` makes those installs fail.
    """
    folder = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--only-binary",
            ":all:",
            "--dest",
            str(folder),
            "--requirement",
            str(ROOT / "requirements" / "action.txt"),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return folder


def offline_pip_env(wheelhouse: Path) -> dict[str, str]:
    return {"PIP_FIND_LINKS": str(wheelhouse), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
