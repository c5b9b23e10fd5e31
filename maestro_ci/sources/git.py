"""Everything maestro-ci asks git, through ``subprocess`` (no git library).

Errors become :class:`InputError` with the fix a user needs: not a repository,
a ref that does not exist, a shallow clone that lacks the base.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.models import ChangeKind, ChangeSet, FileChange

WORKTREE = "WORKTREE"  # head pseudo-ref: the working tree
INDEX = "INDEX"  # head pseudo-ref: the staged files (pre-commit)

_KIND = {
    "A": ChangeKind.ADDED,
    "M": ChangeKind.MODIFIED,
    "D": ChangeKind.DELETED,
    "R": ChangeKind.RENAMED,
    "C": ChangeKind.COPIED,
    "T": ChangeKind.TYPE_CHANGED,
}


class GitError(InputError):
    """git refused: the message carries git's own words and our fix."""


def run_git(args: list[str], cwd: Path, check: bool = True) -> str:
    """Run ``git ARGS`` in ``cwd`` and return stdout (text, surrogate-escaped)."""
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            env=_git_env(),
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed", fix="install git and put it on PATH") from exc
    except NotADirectoryError as exc:
        raise GitError("not a directory", file=str(cwd), fix="run inside a git repository") from exc
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in err:
            raise GitError(
                "not a git repository",
                file=str(cwd),
                fix="run inside a git checkout, or pass --repo",
            )
        raise GitError(f"git {' '.join(args[:3])} failed: {err.splitlines()[-1] if err else proc.returncode}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def _git_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    return env


def repo_root(cwd: Path) -> Path | None:
    """The top of the work tree containing ``cwd``, or None outside a repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, check=False
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    if out.returncode != 0:
        return None
    return Path(out.stdout.decode().strip())


def is_shallow(cwd: Path) -> bool:
    return run_git(["rev-parse", "--is-shallow-repository"], cwd).strip() == "true"


def resolve_commit(ref: str, cwd: Path) -> str:
    """The full SHA of ``ref``; a missing ref says how to fetch it."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    if repo_root(cwd) is None:
        raise GitError("not a git repository", file=str(cwd), fix="run inside a git checkout")
    if is_shallow(cwd):
        raise GitError(
            f"ref '{ref}' is not in this shallow clone",
            fix="fetch more history: 'git fetch --deepen=200' (or the whole history with "
            "'git fetch --unshallow'); in GitHub Actions set 'fetch-depth: 0' on actions/checkout",
        )
    raise GitError(
        f"ref '{ref}' does not exist",
        fix=f"check the name, or fetch it first: 'git fetch origin {ref}'",
    )


def merge_base(a: str, b: str, cwd: Path) -> str:
    out = run_git(["merge-base", a, b], cwd, check=False).strip()
    if not out:
        if is_shallow(cwd):
            raise GitError(
                f"no merge base of '{a}' and '{b}' in this shallow clone",
                fix="set 'fetch-depth: 0' on actions/checkout, or run 'git fetch --deepen=200'",
            )
        raise GitError(f"'{a}' and '{b}' have no common ancestor", fix="pass --base explicitly")
    return out


def default_branch(cwd: Path) -> str | None:
    """The remote's default branch (``origin/main``), else a local main/master."""
    head = run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], cwd, check=False).strip()
    if head:
        return head.removeprefix("refs/remotes/")
    for name in ("origin/main", "origin/master", "main", "master"):
        if run_git(["rev-parse", "--verify", "--quiet", name], cwd, check=False).strip():
            return name
    return None


def _diff_args(base: str, head: str) -> list[str]:
    if head == WORKTREE:
        return [base]
    if head == INDEX:
        return ["--cached", base]
    return [base, head]


def change_set(base: str, head: str, cwd: Path) -> ChangeSet:
    """Files changed from ``base`` to ``head`` (a ref, ``WORKTREE`` or ``INDEX``)."""
    base_sha = resolve_commit(base, cwd)
    head_sha = head if head in (WORKTREE, INDEX) else resolve_commit(head, cwd)
    diff = _diff_args(base_sha, head_sha)
    status = run_git(["diff", "--name-status", "-z", "-M", "--no-ext-diff", *diff], cwd)
    numstat = run_git(["diff", "--numstat", "-z", "-M", "--no-ext-diff", *diff], cwd)
    counts = _parse_numstat(numstat)
    files: list[FileChange] = []
    parts = status.split("\0")
    i = 0
    while i < len(parts) and parts[i]:
        code = parts[i]
        letter = code[0]
        if letter in "RC":
            old, new = parts[i + 1], parts[i + 2]
            i += 3
        else:
            old, new = None, parts[i + 1]
            i += 2
        added, deleted, binary = counts.get(new, (0, 0, False))
        similarity = int(code[1:]) if letter in "RC" and code[1:].isdigit() else None
        files.append(
            FileChange(
                path=new,
                kind=_KIND.get(letter, ChangeKind.MODIFIED),
                old_path=old,
                added=added,
                deleted=deleted,
                binary=binary,
                similarity=similarity,
            )
        )
    files.sort(key=lambda f: f.path)
    return ChangeSet(base=base, head=head, base_sha=base_sha, head_sha=head_sha, files=files)


def _parse_numstat(text: str) -> dict[str, tuple[int, int, bool]]:
    """``-z`` numstat: ``A\\tD\\tpath\\0`` or, for renames, ``A\\tD\\t\\0old\\0new\\0``."""
    out: dict[str, tuple[int, int, bool]] = {}
    parts = text.split("\0")
    i = 0
    while i < len(parts) and parts[i]:
        added, deleted, path = parts[i].split("\t", 2)
        if path == "":
            path = parts[i + 2]
            i += 3
        else:
            i += 1
        binary = added == "-"
        out[path] = (0 if binary else int(added), 0 if binary else int(deleted), binary)
    return out


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class FileHunks:
    """Changed line numbers of one file: ``new`` in head, ``old`` in base."""

    path: str
    old_path: str
    new: set[int] = field(default_factory=set)
    old: set[int] = field(default_factory=set)


def changed_lines(base: str, head: str, cwd: Path) -> dict[str, FileHunks]:
    """Per file, the line numbers added/changed in head and removed/changed in base."""
    diff = run_git(["diff", "-U0", "-M", "--no-color", "--no-ext-diff", *_diff_args(base, head)], cwd)
    result: dict[str, FileHunks] = {}
    current: FileHunks | None = None
    old_path = ""
    for line in diff.splitlines():
        if line.startswith("--- "):
            old_path = _strip_prefix(line[4:], "a/")
        elif line.startswith("+++ "):
            new_path = _strip_prefix(line[4:], "b/")
            path = new_path if new_path != "/dev/null" else old_path
            current = result.setdefault(path, FileHunks(path, old_path))
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                o_start, o_len, n_start, n_len = match.groups()
                o_count = 1 if o_len is None else int(o_len)
                n_count = 1 if n_len is None else int(n_len)
                current.old.update(range(int(o_start), int(o_start) + o_count))
                current.new.update(range(int(n_start), int(n_start) + n_count))
    return result


def _strip_prefix(path: str, prefix: str) -> str:
    path = path.rstrip("\t")
    if path.startswith('"') and path.endswith('"'):
        path = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        path = path.encode("latin-1").decode("utf-8", "replace")
    return path[len(prefix) :] if path.startswith(prefix) else path


def show_file(ref: str, path: str, cwd: Path) -> str | None:
    """The text of ``path`` at ``ref``, or None when it does not exist there."""
    proc = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape")


def commit_message(ref: str, cwd: Path) -> str:
    return run_git(["log", "-1", "--format=%B", ref], cwd)


def tracked_files(cwd: Path, ref: str | None = None) -> list[str]:
    """Files tracked at ``ref`` (or in the index), repository-relative, sorted."""
    args = ["ls-tree", "-r", "-z", "--name-only", ref] if ref else ["ls-files", "-z"]
    return sorted(p for p in run_git(args, cwd).split("\0") if p)


def blob_ids(cwd: Path) -> dict[str, str]:
    """Path → git blob id for every tracked file (content hashes, not mtimes)."""
    out = run_git(["ls-files", "-s", "-z"], cwd)
    ids: dict[str, str] = {}
    for entry in out.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            ids[path] = meta.split()[1]
    return ids
