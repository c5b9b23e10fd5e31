"""``git-state``: branch, commit, dirty flag, status, remote and recent commits."""

from __future__ import annotations

import re
from pathlib import Path

from maestro_ci.models import CommitInfo, GitState
from maestro_ci.sources.git import repo_root, run_git

_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]+@")


def strip_credentials(url: str) -> str:
    """Drop ``user:token@`` from a remote URL; the rest stays readable."""
    return _USERINFO.sub(r"\1", url)


def read_git_state(cwd: Path) -> GitState:
    root = repo_root(cwd)
    if root is None:
        return GitState(
            in_repository=False,
            message=f"{cwd} is not inside a git repository: no git state to report",
        )
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD"], root, check=False).strip()
    branch = run_git(["symbolic-ref", "--quiet", "--short", "HEAD"], root, check=False).strip()
    porcelain = run_git(["status", "--porcelain=v1", "--untracked-files=normal"], root)
    status = [line for line in porcelain.splitlines() if line]
    remote = run_git(["remote", "get-url", "origin"], root, check=False).strip()
    if not remote:
        remotes = run_git(["remote"], root, check=False).split()
        if remotes:
            remote = run_git(["remote", "get-url", remotes[0]], root, check=False).strip()
    if not head:
        return GitState(
            in_repository=True,
            message="repository has no commits yet",
            root=str(root),
            branch=branch or None,
            dirty=bool(status),
            status=status,
            remote_url=strip_credentials(remote) if remote else None,
        )
    detached = not branch
    description = None
    if detached:
        near = run_git(["describe", "--all", "--always", "HEAD"], root, check=False).strip()
        description = f"HEAD detached at {head[:7]}" + (f" ({near})" if near else "")
    diff_stat = run_git(["diff", "HEAD", "--stat", "--no-color"], root, check=False).strip()
    log = run_git(["log", "-3", "--format=%H%x1f%h%x1f%s%x1f%an%x1f%aI"], root)
    commits = [
        CommitInfo(sha=p[0], short=p[1], subject=p[2], author=p[3], date=p[4])
        for p in (line.split("\x1f") for line in log.splitlines() if line)
    ]
    return GitState(
        in_repository=True,
        root=str(root),
        branch=branch or None,
        commit=head,
        short_commit=head[:7],
        detached=detached,
        detached_description=description,
        dirty=bool(status),
        status=status,
        diff_stat=diff_stat,
        remote_url=strip_credentials(remote) if remote else None,
        last_commits=commits,
    )
