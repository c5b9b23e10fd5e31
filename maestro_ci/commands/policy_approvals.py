"""Which code owners approved the pull request, for the policy gate's ``review_by`` rules.

Front-end code: it reads the environment (event file, token, API URL) and asks the GitHub
REST API for the PR's reviews. Anything that keeps it from knowing (not a pull request, no
token, an API error) leaves the approvals unknown, and the gate keeps every required review
required — it never passes because the approvals could not be read.
"""

from __future__ import annotations

from collections.abc import Mapping


def read_approvals(env: Mapping[str, str], wanted: set[str]) -> tuple[frozenset[str] | None, str]:
    """(owners among ``wanted`` who approved, a note saying how that was found)."""
    from maestro_ci.gha import GitHubActions

    gha = GitHubActions(env)
    number = gha.pull_request_number()
    repo = env.get("GITHUB_REPOSITORY", "")
    token = env.get("GITHUB_TOKEN", "")
    if number is None or not repo:
        return None, "owner approvals not checked: not a pull request (no event file with one)"
    if not token:
        return None, "owner approvals not checked: GITHUB_TOKEN is not set (needs pull-requests: read)"
    from maestro_ci.sources.github_api import GitHubApi, GitHubApiError, approvers, team_approvals

    api = GitHubApi(env.get("GITHUB_API_URL", "https://api.github.com"), token)
    try:
        users = approvers(api, repo, number)
        teams = {o for o in wanted if "/" in o}
        granted = {o for o in wanted if o in users}
        if teams and users:
            granted |= team_approvals(api, teams, users)
    except GitHubApiError as exc:
        return None, f"owner approvals not checked: {exc}"
    shown = ", ".join(sorted(granted)) or "none of the required owners"
    return frozenset(granted), f"owner approvals read from PR #{number}: {shown}"
