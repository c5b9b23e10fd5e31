"""The change under test and the run around it.

Base and head are resolved in one order for every job: flags →
``PRE_COMMIT_FROM_REF``/``PRE_COMMIT_TO_REF`` → the pull request in the GitHub
event file → merge-base of HEAD with the default branch. The result records
which was used and why. The environment is passed in as a mapping: this module
never reads ``os.environ`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from maestro_ci.errors import UsageError
from maestro_ci.gha import GitHubActions
from maestro_ci.models import ChangeSet, CIContext
from maestro_ci.sources import git

RUN_ALL_TRAILER = re.compile(r"^maestro:\s*run-all\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Range:
    base: str
    head: str
    source: str  # flags | pre-commit | pull-request | merge-base | head-parent
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"base": self.base, "head": self.head, "source": self.source, "reason": self.reason}


def resolve_range(repo: Path, base: str | None, head: str | None, env: Mapping[str, str]) -> Range:
    if base:
        return Range(base, head or "HEAD", "flags", f"--base {base} given on the command line")
    if env.get("PRE_COMMIT_FROM_REF") and env.get("PRE_COMMIT_TO_REF"):
        return Range(
            env["PRE_COMMIT_FROM_REF"],
            head or env["PRE_COMMIT_TO_REF"],
            "pre-commit",
            "PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF set by pre-commit",
        )
    pr = GitHubActions(env).pull_request_range()
    if pr is not None:
        return Range(
            pr[0],
            head or pr[1],
            "pull-request",
            "base and head of the pull request in the event file",
        )
    default = git.default_branch(repo)
    if default is None:
        raise UsageError(
            "cannot tell which commit to compare against: no --base, no pull request, no default branch",
            fix="pass --base REF (for example --base origin/main)",
        )
    target = head or "HEAD"
    mb = git.merge_base(default, target, repo)
    if mb == git.resolve_commit(target, repo):
        return Range(f"{target}~1", target, "head-parent", f"HEAD is on {default}: comparing with its parent")
    return Range(mb, target, "merge-base", f"merge-base of {target} with the default branch {default}")


def change_set(repo: Path, rng: Range) -> ChangeSet:
    return git.change_set(rng.base, rng.head, repo)


def run_all_requested(
    repo: Path, head: str, env: Mapping[str, str], label: str = "maestro: run-all"
) -> str | None:
    """Why a full run was forced (PR label or commit trailer), or None."""
    labels = GitHubActions(env).pull_request_labels()
    if label in labels or "maestro:run-all" in labels:
        return f"pull-request label '{label}'"
    if head not in (git.WORKTREE, git.INDEX):
        message = git.commit_message(head, repo)
        if RUN_ALL_TRAILER.search(message):
            return "commit trailer 'maestro: run-all'"
    return None


def ci_context(env: Mapping[str, str]) -> CIContext:
    """Where we run: GitHub Actions, GitLab, CircleCI, Buildkite, or local."""
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repo = env.get("GITHUB_REPOSITORY", "")
        run_id = env.get("GITHUB_RUN_ID", "")
        return CIContext(
            provider="github-actions",
            repository=repo,
            workflow_ref=env.get("GITHUB_WORKFLOW_REF", ""),
            run_id=run_id,
            run_attempt=env.get("GITHUB_RUN_ATTEMPT", ""),
            run_url=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else "",
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            ref=env.get("GITHUB_REF", ""),
            sha=env.get("GITHUB_SHA", ""),
            actor=env.get("GITHUB_ACTOR", ""),
        )
    if env.get("GITLAB_CI"):
        return CIContext(
            provider="gitlab",
            repository=env.get("CI_PROJECT_PATH", ""),
            run_id=env.get("CI_PIPELINE_ID", ""),
            run_url=env.get("CI_PIPELINE_URL", ""),
            ref=env.get("CI_COMMIT_REF_NAME", ""),
            sha=env.get("CI_COMMIT_SHA", ""),
            actor=env.get("GITLAB_USER_LOGIN", ""),
        )
    if env.get("CIRCLECI"):
        return CIContext(
            provider="circleci",
            repository=env.get("CIRCLE_PROJECT_REPONAME", ""),
            run_id=env.get("CIRCLE_WORKFLOW_ID", ""),
            run_url=env.get("CIRCLE_BUILD_URL", ""),
            ref=env.get("CIRCLE_BRANCH", ""),
            sha=env.get("CIRCLE_SHA1", ""),
            actor=env.get("CIRCLE_USERNAME", ""),
        )
    if env.get("BUILDKITE"):
        return CIContext(
            provider="buildkite",
            repository=env.get("BUILDKITE_REPO", ""),
            run_id=env.get("BUILDKITE_BUILD_ID", ""),
            run_url=env.get("BUILDKITE_BUILD_URL", ""),
            ref=env.get("BUILDKITE_BRANCH", ""),
            sha=env.get("BUILDKITE_COMMIT", ""),
            actor=env.get("BUILDKITE_BUILD_CREATOR", ""),
        )
    return CIContext()
