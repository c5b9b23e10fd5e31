"""What the policy gate reads from the repository: file contents at head, sizes, declared deps.

Contents come from git in one ``git cat-file --batch`` call for all changed
files (or from the work tree), so a pre-commit run on a few files stays fast.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Iterable
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.models import ChangeKind, ChangeSet, FileChange
from maestro_ci.sources.git import INDEX, WORKTREE


class BlobReader:
    """File bytes at a head (a commit, ``INDEX`` or ``WORKTREE``), read once in a batch."""

    def __init__(self, root: Path, head: str, paths: Iterable[str]) -> None:
        self.root = root
        self.head = head
        self.paths = list(dict.fromkeys(paths))
        self._cache: dict[str, bytes | None] | None = None

    def _load(self) -> dict[str, bytes | None]:
        if self.head == WORKTREE:
            out: dict[str, bytes | None] = {}
            for path in self.paths:
                file = self.root / path
                out[path] = file.read_bytes() if file.is_file() else None
            return out
        prefix = "" if self.head == INDEX else self.head
        request = "".join(f"{prefix}:{p}\n" for p in self.paths).encode("utf-8", "surrogateescape")
        proc = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=self.root, input=request, capture_output=True, check=False
        )
        if proc.returncode != 0:
            raise InputError(
                f"git cat-file failed: {proc.stderr.decode('utf-8', 'replace').strip()}",
                fix="run inside a git checkout",
            )
        data, pos = proc.stdout, 0
        found: dict[str, bytes | None] = {}
        for path in self.paths:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) == 3 and header[1] == b"blob":
                size = int(header[2])
                found[path] = data[pos : pos + size]
                pos += size + 1
            else:
                found[path] = None
        return found

    def __call__(self, path: str) -> bytes | None:
        if self._cache is None:
            self._cache = self._load()
        if path not in self._cache:
            self.paths.append(path)
            self._cache = self._load()
        return self._cache.get(path)

    def size(self, path: str) -> int | None:
        data = self(path)
        return None if data is None else len(data)


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def has_commit(root: Path) -> bool:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def initial_change_set(root: Path) -> ChangeSet:
    """Before the first commit: every staged file is added."""
    from maestro_ci.sources.git import run_git

    out = run_git(["diff", "--cached", "--numstat", "-z", EMPTY_TREE], root)
    files = []
    for entry in out.split("\0"):
        if entry:
            added, _deleted, path = entry.split("\t", 2)
            binary = added == "-"
            files.append(
                FileChange(path=path, kind=ChangeKind.ADDED, added=0 if binary else int(added), binary=binary)
            )
    return ChangeSet(base=EMPTY_TREE, head=INDEX, base_sha=EMPTY_TREE, head_sha=INDEX, files=files)


def declared_requirements(root: Path) -> tuple[list[str], list[str]]:
    """Requirement lines from ``pyproject.toml`` and ``requirements*.txt``, and the files read."""
    lines: list[str] = []
    read: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot read pyproject.toml: {exc}", file=str(pyproject), fix="fix the TOML"
            ) from exc
        deps = data.get("project", {}).get("dependencies", [])
        if isinstance(deps, list):
            lines += [d for d in deps if isinstance(d, str)]
            read.append("pyproject.toml")
    for file in sorted([*root.glob("requirements*.txt"), *root.glob("requirements/*.txt")]):
        lines += file.read_text(encoding="utf-8", errors="replace").splitlines()
        read.append(file.relative_to(root).as_posix())
    return lines, read
