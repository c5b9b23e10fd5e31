"""Commit history for the risk signals and model: one ``git log --numstat`` pass.

``mine`` streams every commit (sha, parents, author, time, message, lines added
and deleted per file) from a single git process, so mining speed is bounded by
git, not by one process per commit. ``churn`` sums the lines changed in given
files over a window before a commit, and says how to fetch more history when a
shallow clone does not reach back far enough.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.sources.git import _git_env, is_shallow, run_git

_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f%B%x1d"


@dataclass(frozen=True)
class FileStat:
    path: str
    added: int
    deleted: int


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    time: int
    message: str
    files: tuple[FileStat, ...] = field(default=())

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def lines(self) -> int:
        return sum(f.added + f.deleted for f in self.files)


def _parse_record(record: str) -> Commit | None:
    head, _, stats = record.partition("\x1d")
    parts = head.split("\x1f")
    if len(parts) < 6:
        return None
    sha, parents, author, email, when, message = parts[:6]
    files: list[FileStat] = []
    for line in stats.splitlines():
        cols = line.split("\t", 2)
        if len(cols) != 3:
            continue
        added, deleted, path = cols
        files.append(
            FileStat(path, int(added) if added.isdigit() else 0, int(deleted) if deleted.isdigit() else 0)
        )
    return Commit(sha, tuple(parents.split()), author, email.lower(), int(when or 0), message, tuple(files))


def iter_log(args: list[str], cwd: Path) -> Iterator[Commit]:
    """Commits of ``git log ARGS`` with numstat, streamed from one process."""
    cmd = ["git", "log", f"--format={_FORMAT}", "--numstat", "--no-renames", "--no-color", *args]
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_git_env())
    assert proc.stdout is not None
    buffer = ""
    try:
        for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
            buffer += chunk.decode("utf-8", "surrogateescape")
            *records, buffer = buffer.split("\x1e")
            for record in records:
                if record.strip() and (commit := _parse_record(record)):
                    yield commit
        if buffer.strip() and (commit := _parse_record(buffer)):
            yield commit
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        code = proc.wait()
    if code != 0:
        raise InputError(f"git log failed: {err.strip().splitlines()[-1] if err.strip() else code}")


def mine(
    cwd: Path,
    head: str = "HEAD",
    since: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Commit]:
    """Every commit reachable from ``head`` (since a date), oldest first."""
    args = [head]
    if since:
        args.append(f"--since={since}")
    commits: list[Commit] = []
    total = 0
    if progress:
        total = int(run_git(["rev-list", "--count", *args], cwd).strip() or 0)
    for commit in iter_log(args, cwd):
        commits.append(commit)
        if progress and len(commits) % 200 == 0:
            progress(len(commits), total)
    commits.reverse()
    return commits


def commit_time(ref: str, cwd: Path) -> int:
    return int(run_git(["log", "-1", "--format=%ct", ref], cwd).strip() or 0)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def check_depth(cwd: Path, head_time: int, days: int) -> None:
    """In a shallow clone, make sure history reaches ``days`` before the head commit."""
    if not is_shallow(cwd):
        return
    shallow_file = Path(run_git(["rev-parse", "--git-path", "shallow"], cwd).strip())
    if not shallow_file.is_absolute():
        shallow_file = cwd / shallow_file
    boundary = shallow_file.read_text().split() if shallow_file.is_file() else []
    oldest = min((commit_time(sha, cwd) for sha in boundary), default=0)
    need = head_time - days * 86400
    if oldest > need:
        raise InputError(
            f"shallow clone: the churn signal needs {days} days of history before the head commit "
            f"(back to {_day(need)}), but history stops at {_day(oldest)}",
            fix=f"fetch more history: 'git fetch --shallow-since={_day(need)}' (or 'git fetch --unshallow'); "
            "in GitHub Actions set 'fetch-depth: 0' on actions/checkout",
        )


def require_full_history(cwd: Path, what: str) -> None:
    """Refuse to compute history features from a shallow clone (they would be silently wrong)."""
    if is_shallow(cwd):
        depth = run_git(["rev-list", "--count", "HEAD"], cwd).strip()
        raise InputError(
            f"shallow clone ({depth} commits): {what} need the full history "
            "(file age, prior changes, developers and author experience all look back to the first commit)",
            fix="fetch it with 'git fetch --unshallow'; in GitHub Actions set 'fetch-depth: 0' on "
            "actions/checkout",
        )


def churn(paths: list[str], head: str, days: int, cwd: Path) -> dict[str, int]:
    """Lines added + deleted per path in the ``days`` before ``head``'s commit time."""
    if not paths:
        return {}
    head_time = commit_time(head, cwd)
    check_depth(cwd, head_time, days)
    since = head_time - days * 86400
    totals = dict.fromkeys(paths, 0)
    wanted = set(paths)
    for commit in iter_log([f"--since={since}", head, "--", *paths], cwd):
        if commit.time < since:
            continue
        for stat in commit.files:
            if stat.path in wanted:
                totals[stat.path] += stat.added + stat.deleted
    return totals
