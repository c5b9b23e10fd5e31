"""The GitHub REST API, for the one thing we do there: create or update our PR comment.

A hidden marker in the body finds our previous comment, so each run updates
it in place instead of adding another. Failures (bad token, no permission,
rate limit, network) raise :class:`GitHubApiError` with a message that says
what happened and what to do; callers report it and carry on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

MARKER = "<!-- maestro-ci:summary -->"
COMMENT_LIMIT = 65536  # GitHub rejects longer comment bodies
TIMEOUT = 20.0
MAX_PAGES = 50
API_VERSION = "2022-11-28"


class GitHubApiError(Exception):
    """A GitHub API call that did not succeed; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class CommentOutcome:
    action: str  # "created" | "updated"
    comment_id: int
    url: str


def _explain(response: httpx.Response, what: str) -> GitHubApiError:
    code = response.status_code
    try:
        message = str(response.json().get("message", ""))
    except ValueError:
        message = response.text[:200]
    remaining = response.headers.get("x-ratelimit-remaining")
    retry_after = response.headers.get("retry-after")
    if code == 429 or (code == 403 and (remaining == "0" or retry_after)):
        reset = response.headers.get("x-ratelimit-reset", "")
        when = ""
        if retry_after:
            when = f"; retry after {retry_after} s"
        elif reset.isdigit():
            when = "; the limit resets at " + time.strftime("%H:%M:%S UTC", time.gmtime(int(reset)))
        return GitHubApiError(f"GitHub API rate limit reached while trying to {what} (HTTP {code}){when}")
    hint = {
        401: "the token is missing or invalid: pass GITHUB_TOKEN",
        403: "the token lacks permission: give the job 'pull-requests: write'",
        404: "repository or pull request not found, or the token cannot see it",
        422: "GitHub refused the comment body",
    }.get(code, "GitHub answered with an error")
    detail = f": {message}" if message else ""
    return GitHubApiError(f"could not {what}: HTTP {code}{detail} ({hint})")


@dataclass
class GitHubApi:
    base_url: str
    token: str
    transport: httpx.BaseTransport | None = None

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "maestro-ci",
            },
            timeout=TIMEOUT,
            transport=self.transport,
        )

    def _call(self, client: httpx.Client, method: str, url: str, what: str, **kw: Any) -> httpx.Response:
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise GitHubApiError(f"could not {what}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise _explain(response, what)
        return response

    def paged(self, client: httpx.Client, url: str, what: str) -> Iterator[Any]:
        """Every item of a paginated list (``Link: rel="next"``), at most MAX_PAGES pages."""
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            response = self._call(client, "GET", next_url, what)
            yield from response.json()
            nxt = response.links.get("next", {}).get("url")
            next_url = str(nxt) if nxt else None

    def find_comment(self, client: httpx.Client, repo: str, number: int, marker: str) -> int | None:
        url = f"/repos/{repo}/issues/{number}/comments?per_page=100"
        for item in self.paged(client, url, "list the pull request comments"):
            if isinstance(item, dict) and marker in str(item.get("body") or ""):
                return int(item["id"])
        return None

    def upsert_comment(self, repo: str, number: int, body: str, marker: str = MARKER) -> CommentOutcome:
        """Create our comment on PR ``number`` of ``repo``, or update the one carrying ``marker``."""
        if marker not in body:
            body = f"{marker}\n{body}"
        with self._client() as client:
            existing = self.find_comment(client, repo, number, marker)
            if existing is None:
                response = self._call(
                    client,
                    "POST",
                    f"/repos/{repo}/issues/{number}/comments",
                    "create the pull request comment",
                    json={"body": body},
                )
                action = "created"
            else:
                response = self._call(
                    client,
                    "PATCH",
                    f"/repos/{repo}/issues/comments/{existing}",
                    "update the pull request comment",
                    json={"body": body},
                )
                action = "updated"
        data = response.json()
        return CommentOutcome(action, int(data.get("id", existing or 0)), str(data.get("html_url", "")))


def approvers(api: GitHubApi, repo: str, number: int) -> set[str]:
    """Logins whose latest review of PR ``number`` is an approval (``@login``)."""
    latest: dict[str, str] = {}
    with api._client() as client:
        url = f"/repos/{repo}/pulls/{number}/reviews?per_page=100"
        for review in api.paged(client, url, "list the pull request reviews"):
            login = ((review or {}).get("user") or {}).get("login")
            state = str((review or {}).get("state") or "")
            if login and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                latest[str(login)] = state  # reviews come oldest first: the last one counts
    return {f"@{login}" for login, state in latest.items() if state == "APPROVED"}


def team_approvals(api: GitHubApi, teams: set[str], users: set[str]) -> set[str]:
    """The ``@org/team`` owners among ``teams`` with an approving member among ``users``."""
    granted: set[str] = set()
    with api._client() as client:
        for team in sorted(teams):
            org, _, slug = team.lstrip("@").partition("/")
            for user in sorted(users):
                url = f"/orgs/{org}/teams/{slug}/memberships/{user.lstrip('@')}"
                try:
                    response = client.get(url)
                except httpx.HTTPError as exc:
                    raise GitHubApiError(f"could not read team {team}: {type(exc).__name__}: {exc}") from exc
                if response.status_code == 404:
                    continue  # not a member (or the team is not visible to this token)
                if response.status_code >= 400:
                    raise _explain(response, f"read the members of {team}")
                if response.json().get("state") == "active":
                    granted.add(team)
                    break
    return granted
