"""``maestro_ci.context`` on real git repositories: where base and head come from, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_ci import context
from maestro_ci.errors import UsageError
from maestro_ci.sources import git
from tests.conftest import GitRepo, make_repo


@pytest.fixture
def history(git_repo: GitRepo) -> dict[str, str]:
    """main: A - B; feature (checked out): from B, C - D; main moves on to E."""
    shas = {
        "A": git_repo.commit("A", {"app.py": "a = 1\n"}),
        "B": git_repo.commit("B", {"app.py": "a = 2\n"}),
    }
    git_repo.git("checkout", "-q", "-b", "feature")
    shas["C"] = git_repo.commit("C", {"feature.py": "f = 1\n"})
    shas["D"] = git_repo.commit("D", {"feature.py": "f = 2\n"})
    git_repo.git("checkout", "-q", "main")
    shas["E"] = git_repo.commit("E", {"other.py": "o = 1\n"})
    git_repo.git("checkout", "-q", "feature")
    return shas


def _event(tmp_path: Path, payload: dict[str, object]) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {"GITHUB_EVENT_PATH": str(path)}


def test_flags_win_over_everything(git_repo: GitRepo, history: dict[str, str], tmp_path: Path) -> None:
    env = {"PRE_COMMIT_FROM_REF": history["A"], "PRE_COMMIT_TO_REF": history["B"]}
    env |= _event(tmp_path, {"pull_request": {"base": {"sha": "x" * 40}, "head": {"sha": "y" * 40}}})
    rng = context.resolve_range(git_repo.path, "main", None, env)
    assert (rng.base, rng.head, rng.source) == ("main", "HEAD", "flags")
    assert "--base main" in rng.reason
    rng = context.resolve_range(git_repo.path, history["A"], history["C"], env)
    assert rng.as_dict() == {
        "base": history["A"],
        "head": history["C"],
        "source": "flags",
        "reason": f"--base {history['A']} given on the command line",
    }


def test_pre_commit_refs(git_repo: GitRepo, history: dict[str, str]) -> None:
    env = {"PRE_COMMIT_FROM_REF": history["B"], "PRE_COMMIT_TO_REF": history["D"]}
    rng = context.resolve_range(git_repo.path, None, None, env)
    assert (rng.base, rng.head, rng.source) == (history["B"], history["D"], "pre-commit")
    assert context.resolve_range(git_repo.path, None, "HEAD", env).head == "HEAD"
    only_one = {"PRE_COMMIT_FROM_REF": history["B"]}
    assert context.resolve_range(git_repo.path, None, None, only_one).source == "merge-base"


def test_pull_request_event(git_repo: GitRepo, history: dict[str, str], tmp_path: Path) -> None:
    env = _event(tmp_path, {"pull_request": {"base": {"sha": history["E"]}, "head": {"sha": history["D"]}}})
    rng = context.resolve_range(git_repo.path, None, None, env)
    assert (rng.base, rng.head, rng.source) == (history["E"], history["D"], "pull-request")
    changed = {f.path for f in context.change_set(git_repo.path, rng).files}
    assert "feature.py" in changed


def test_push_event_falls_back_to_merge_base(
    git_repo: GitRepo, history: dict[str, str], tmp_path: Path
) -> None:
    env = _event(tmp_path, {"ref": "refs/heads/feature", "after": history["D"]})
    rng = context.resolve_range(git_repo.path, None, None, env)
    assert rng.source == "merge-base"
    assert rng.base == history["B"]  # not E: main moved on after the branch point
    assert "main" in rng.reason
    changed = {f.path for f in context.change_set(git_repo.path, rng).files}
    assert changed == {"feature.py"}


def test_on_the_default_branch_compares_with_the_parent(git_repo: GitRepo, history: dict[str, str]) -> None:
    git_repo.git("checkout", "-q", "main")
    rng = context.resolve_range(git_repo.path, None, None, {})
    assert (rng.base, rng.head, rng.source) == ("HEAD~1", "HEAD", "head-parent")
    assert git.resolve_commit(rng.base, git_repo.path) == history["B"]


def test_remote_default_branch_is_preferred(tmp_path: Path) -> None:
    upstream = make_repo(tmp_path / "upstream")
    base = upstream.commit("base", {"x.py": "x = 1\n"})
    clone = tmp_path / "clone"
    upstream.git("clone", "-q", str(upstream.path), str(clone))
    local = GitRepo(clone)
    local.git("checkout", "-q", "-b", "work")
    local.commit("work", {"y.py": "y = 1\n"})
    rng = context.resolve_range(clone, None, None, {})
    assert rng.source == "merge-base"
    assert rng.base == base
    assert "origin/main" in rng.reason


def test_no_default_branch_is_a_usage_error(git_repo: GitRepo) -> None:
    git_repo.git("checkout", "-q", "-b", "trunk")
    git_repo.commit("only", {"a.py": "a = 1\n"})
    with pytest.raises(UsageError, match="cannot tell which commit") as info:
        context.resolve_range(git_repo.path, None, None, {})
    assert "--base" in (info.value.fix or "")


def test_run_all_from_a_label(git_repo: GitRepo, history: dict[str, str], tmp_path: Path) -> None:
    labelled = _event(tmp_path, {"pull_request": {"labels": [{"name": "maestro: run-all"}, {"name": "bug"}]}})
    assert (
        context.run_all_requested(git_repo.path, "HEAD", labelled) == "pull-request label 'maestro: run-all'"
    )
    compact = _event(tmp_path, {"pull_request": {"labels": [{"name": "maestro:run-all"}]}})
    assert context.run_all_requested(git_repo.path, "HEAD", compact) is not None
    custom = _event(tmp_path, {"pull_request": {"labels": [{"name": "full-ci"}]}})
    assert (
        context.run_all_requested(git_repo.path, "HEAD", custom, label="full-ci")
        == "pull-request label 'full-ci'"
    )
    assert context.run_all_requested(git_repo.path, "HEAD", custom) is None


def test_run_all_from_a_commit_trailer(git_repo: GitRepo, history: dict[str, str]) -> None:
    assert context.run_all_requested(git_repo.path, "HEAD", {}) is None
    git_repo.git("commit", "-q", "--allow-empty", "-m", "Bump deps\n\nMaestro: Run-All\n")
    assert context.run_all_requested(git_repo.path, "HEAD", {}) == "commit trailer 'maestro: run-all'"
    assert context.run_all_requested(git_repo.path, "HEAD~1", {}) is None
    # the working tree and the index have no commit message
    assert context.run_all_requested(git_repo.path, git.WORKTREE, {}) is None
    assert context.run_all_requested(git_repo.path, git.INDEX, {}) is None


def test_trailer_must_be_its_own_line(git_repo: GitRepo, history: dict[str, str]) -> None:
    git_repo.git("commit", "-q", "--allow-empty", "-m", "Explain why maestro: run-all is not needed")
    assert context.run_all_requested(git_repo.path, "HEAD", {}) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_REPOSITORY": "org/repo",
                "GITHUB_RUN_ID": "42",
                "GITHUB_RUN_ATTEMPT": "2",
                "GITHUB_WORKFLOW_REF": "org/repo/.github/workflows/ci.yml@refs/heads/main",
                "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_REF": "refs/pull/7/merge",
                "GITHUB_SHA": "abc",
                "GITHUB_ACTOR": "octocat",
                "GITHUB_SERVER_URL": "https://ghe.example.invalid",
            },
            {
                "provider": "github-actions",
                "repository": "org/repo",
                "run_id": "42",
                "run_attempt": "2",
                "run_url": "https://ghe.example.invalid/org/repo/actions/runs/42",
                "event_name": "pull_request",
                "ref": "refs/pull/7/merge",
                "sha": "abc",
                "actor": "octocat",
            },
        ),
        ({"GITHUB_ACTIONS": "true"}, {"provider": "github-actions", "run_url": ""}),
        (
            {
                "GITLAB_CI": "true",
                "CI_PROJECT_PATH": "g/p",
                "CI_PIPELINE_ID": "9",
                "CI_PIPELINE_URL": "https://gitlab.invalid/g/p/-/pipelines/9",
                "CI_COMMIT_REF_NAME": "main",
                "CI_COMMIT_SHA": "def",
                "GITLAB_USER_LOGIN": "dev",
            },
            {
                "provider": "gitlab",
                "repository": "g/p",
                "run_id": "9",
                "ref": "main",
                "sha": "def",
                "actor": "dev",
            },
        ),
        (
            {
                "CIRCLECI": "true",
                "CIRCLE_PROJECT_REPONAME": "repo",
                "CIRCLE_WORKFLOW_ID": "w1",
                "CIRCLE_BUILD_URL": "https://circle.invalid/1",
                "CIRCLE_BRANCH": "dev",
                "CIRCLE_SHA1": "123",
                "CIRCLE_USERNAME": "c",
            },
            {
                "provider": "circleci",
                "repository": "repo",
                "run_id": "w1",
                "ref": "dev",
                "sha": "123",
                "actor": "c",
            },
        ),
        (
            {
                "BUILDKITE": "true",
                "BUILDKITE_REPO": "git@host:o/r.git",
                "BUILDKITE_BUILD_ID": "b1",
                "BUILDKITE_BUILD_URL": "https://bk.invalid/b1",
                "BUILDKITE_BRANCH": "topic",
                "BUILDKITE_COMMIT": "456",
                "BUILDKITE_BUILD_CREATOR": "bk",
            },
            {
                "provider": "buildkite",
                "run_id": "b1",
                "run_url": "https://bk.invalid/b1",
                "ref": "topic",
                "actor": "bk",
            },
        ),
        ({"CI": "true", "GITHUB_ACTIONS": "false"}, {"provider": "local", "repository": "", "run_id": ""}),
        ({}, {"provider": "local"}),
    ],
    ids=["github", "github-minimal", "gitlab", "circleci", "buildkite", "not-github", "local"],
)
def test_ci_context(env: dict[str, str], expected: dict[str, str]) -> None:
    found = context.ci_context(env).model_dump()
    assert {key: found[key] for key in expected} == expected
