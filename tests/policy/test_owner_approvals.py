"""``review_by`` owner rules read the pull request's approvals from a (loopback) GitHub API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo, make_repo

RULES = """owners:
  - id: security-review
    path: 'infra/**'
    review_by: ['@org/security', '@carol']
    reason: 'Security owns the infrastructure.'
    mode: enforce
"""


class Api:
    def __init__(self) -> None:
        self.reviews: list[dict[str, Any]] = []
        self.members: set[str] = set()
        self.fail: int | None = None
        self.paths: list[str] = []


@pytest.fixture
def api() -> Iterator[tuple[Api, str]]:
    state = Api()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.paths.append(self.path)
            if state.fail:
                self._reply(state.fail, {"message": "Server Error"})
            elif self.path.startswith("/repos/o/r/pulls/7/reviews"):
                self._reply(200, state.reviews)
            elif self.path.startswith("/orgs/org/teams/security/memberships/"):
                user = self.path.rsplit("/", 1)[-1]
                if user in state.members:
                    self._reply(200, {"state": "active"})
                else:
                    self._reply(404, {"message": "Not Found"})
            else:
                self._reply(404, {"message": "Not Found"})

        def _reply(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = make_repo(tmp_path / "repo")
    repo.commit(
        "base",
        {
            "policy/rules.yaml": RULES,
            ".github/CODEOWNERS": "* @org/dev\n/infra/ @org/security @carol\n",
            "x.py": "1\n",
        },
    )
    repo.git("branch", "base")
    repo.commit("infra", {"infra/main.tf": "resource {}\n"})
    return repo


def _pr_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("GITHUB_API_URL", url)


def _policy(cli: Any, repo: GitRepo) -> tuple[int, dict[str, Any]]:
    res = cli("policy", "--base", "base", "--format", "json", "--no-record", "-C", str(repo.path))
    return res.code, json.loads(res.out)


def test_an_approving_team_member_lifts_the_review(cli, repo, api, monkeypatch, tmp_path) -> None:
    state, url = api
    _pr_env(monkeypatch, tmp_path, url)
    state.reviews = [{"user": {"login": "alice"}, "state": "APPROVED"}]
    state.members = {"alice"}
    code, result = _policy(cli, repo)
    assert code == 0, result
    assert "owner approvals read from PR #7: @org/security" in json.dumps(result)


def test_a_named_user_approval_counts(cli, repo, api, monkeypatch, tmp_path) -> None:
    state, url = api
    _pr_env(monkeypatch, tmp_path, url)
    state.reviews = [{"user": {"login": "carol"}, "state": "APPROVED"}]
    code, _ = _policy(cli, repo)
    assert code == 0


def test_the_latest_review_counts_and_outsiders_do_not(cli, repo, api, monkeypatch, tmp_path) -> None:
    state, url = api
    _pr_env(monkeypatch, tmp_path, url)
    state.members = {"alice"}
    state.reviews = [
        {"user": {"login": "alice"}, "state": "APPROVED"},
        {"user": {"login": "alice"}, "state": "CHANGES_REQUESTED"},
        {"user": {"login": "bob"}, "state": "APPROVED"},  # approves, but owns nothing here
    ]
    code, result = _policy(cli, repo)
    assert code == 1
    messages = [r["message"] for r in result["reasons"]]
    assert any("owned by @org/security, @carol: their approval is required" in m for m in messages)


def test_api_errors_and_missing_context_fail_closed(cli, repo, api, monkeypatch, tmp_path) -> None:
    code, result = _policy(cli, repo)  # not a pull request at all
    assert code == 1
    assert "not a pull request" in json.dumps(result)
    state, url = api
    _pr_env(monkeypatch, tmp_path, url)
    state.fail = 500
    state.reviews = [{"user": {"login": "carol"}, "state": "APPROVED"}]
    code, result = _policy(cli, repo)
    assert code == 1
    assert "owner approvals not checked" in json.dumps(result)
    monkeypatch.delenv("GITHUB_TOKEN")
    code, result = _policy(cli, repo)
    assert code == 1
    assert "GITHUB_TOKEN is not set" in json.dumps(result)
