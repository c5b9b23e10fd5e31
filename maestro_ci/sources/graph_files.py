"""The files an import graph is built from: the work tree or one commit, with blob ids.

Blob ids are git's content hashes (``sha1("blob <size>\\0" + bytes)``), computed
from the bytes we read for the work tree and taken from ``git ls-tree`` for a
commit, so the graph cache is keyed by content, never by modification time.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from maestro_ci.sources import git

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    ".maestro",
}


@dataclass
class RepoFiles:
    """Every file (``all``), the Python ones (``python``) with blob ids, and a reader."""

    all: list[str]
    python: list[str]
    blobs: dict[str, str] = field(default_factory=dict)
    read: Callable[[list[str]], dict[str, bytes | str]] = field(default=lambda paths: {})


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def list_files(root: Path, ref: str | None, exclude: tuple[str, ...] = ()) -> RepoFiles:
    """Files at ``ref`` (a commit) or in the work tree of ``root``."""
    spec = None
    if exclude:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(exclude)
    if ref is not None:
        return _at_ref(root, ref, spec)
    all_files = _worktree_files(root)
    if spec is not None:
        all_files = [p for p in all_files if not spec.match_file(p)]
    python = [p for p in all_files if p.endswith(".py")]
    contents: dict[str, bytes | str] = {}
    blobs: dict[str, str] = {}
    for path in python:
        try:
            data = (root / path).read_bytes()
        except OSError as exc:
            contents[path] = f"not readable: {exc.strerror or exc}"
            blobs[path] = "unreadable:" + path
            continue
        contents[path] = data
        blobs[path] = blob_id(data)
    return RepoFiles(all_files, python, blobs, lambda paths: {p: contents[p] for p in paths})


def _worktree_files(root: Path) -> list[str]:
    if git.repo_root(root) is not None:
        out = git.run_git(["ls-files", "-z", "-co", "--exclude-standard"], root)
        return sorted({p for p in out.split("\0") if p and not SKIP_DIRS.intersection(p.split("/")[:-1])})
    found: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        rel = Path(folder).relative_to(root).as_posix()
        found.extend(f if rel == "." else f"{rel}/{f}" for f in files)
    return sorted(found)


def _at_ref(root: Path, ref: str, spec: object) -> RepoFiles:
    out = git.run_git(["ls-tree", "-r", "-z", "--full-tree", ref], root)
    all_files: list[str] = []
    blobs: dict[str, str] = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob" or (spec is not None and spec.match_file(path)):  # type: ignore[attr-defined]
            continue
        all_files.append(path)
        if path.endswith(".py") and mode != "120000":
            blobs[path] = sha
    python = sorted(blobs)

    def read(paths: list[str]) -> dict[str, bytes | str]:
        return _cat_blobs(root, {p: blobs[p] for p in paths})

    return RepoFiles(sorted(all_files), python, blobs, read)


def _cat_blobs(root: Path, wanted: dict[str, str]) -> dict[str, bytes | str]:
    if not wanted:
        return {}
    order = list(wanted.items())
    proc = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="".join(f"{sha}\n" for _, sha in order).encode(),
        capture_output=True,
        check=False,
    )
    data = proc.stdout
    out: dict[str, bytes | str] = {}
    pos = 0
    for path, _sha in order:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if len(header) < 3 or header[1] == b"missing":
            out[path] = "missing from git"
            pos = end + 1
            continue
        size = int(header[2])
        out[path] = data[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return out
