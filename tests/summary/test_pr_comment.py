"""``summary --pr-comment`` against a loopback HTTP server that records every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from maestro_ci.sources.github_api import MARKER, GitHubApi, GitHubApiError
from tests.provenance.helpers import fail_result, record


@dataclass
class FakeGitHub:
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    fail_with: tuple[int, dict[str, str]] | None = None
    next_id: int = 100
    url: str = ""


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state.requests.append((method, self.path, dict(self.headers), body))
            if state.fail_with:
                code, headers = state.fail_with
                self._reply(code, {"message": "API rate limit exceeded"}, headers)
                return
            if method == "GET":
                page = 2 if "page=2" in self.path else 1
                items = state.comments[(page - 1) * 2 : page * 2]
                headers = {}
                if page == 1 and len(state.comments) > 2:
                    headers["Link"] = (
                        f'<{state.url}/repos/acme/shop/issues/7/comments?per_page=100&page=2>; rel="next"'
                    )
                self._reply(200, items, headers)
            elif method == "POST":
                state.next_id += 1
                item = {"id": state.next_id, "body": body["body"], "html_url": f"https://x/c/{state.next_id}"}
                state.comments.append(item)
                self._reply(201, item)
            else:
                cid = int(self.path.rsplit("/", 1)[1])
                for item in state.comments:
                    if item["id"] == cid:
                        item["body"] = body["body"]
                        self._reply(200, item)
                        return
                self._reply(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def pr_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, github: FakeGitHub) -> Path:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}, "repository": {"full_name": "acme/shop"}}))
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_testtoken")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    run = tmp_path / "runs" / "r"
    record(run, fail_result("typecheck"))
    return run


def test_creates_then_updates_one_comment(cli: Any, pr_env: Path, github: FakeGitHub, tmp_path: Path) -> None:
    github.comments = [
        {"id": 1, "body": "someone else"},
        {"id": 2, "body": "hello"},
        {"id": 3, "body": "third"},
    ]
    first = cli("summary", "--run", str(pr_env), "--pr-comment", "--out", "s.md", cwd=tmp_path)
    assert first.code == 0, first.err
    assert "PR comment created" in first.err
    posts = [r for r in github.requests if r[0] == "POST"]
    assert len(posts) == 1 and posts[0][1] == "/repos/acme/shop/issues/7/comments"
    assert posts[0][3]["body"].startswith(MARKER)
    assert posts[0][2]["Authorization"] == "Bearer ghs_testtoken"
    assert [r[1] for r in github.requests if r[0] == "GET"][-1].endswith("page=2")  # followed the Link header
    github.requests.clear()
    second = cli("summary", "--run", str(pr_env), "--pr-comment", "--out", "s.md", cwd=tmp_path)
    assert second.code == 0 and "PR comment updated" in second.err
    assert [r[0] for r in github.requests] == ["GET", "GET", "PATCH"]
    assert github.requests[-1][1] == "/repos/acme/shop/issues/comments/101"
    assert len(github.comments) == 4
    assert "## typecheck — ❌ fail" in github.comments[-1]["body"]


def test_rate_limit_is_reported_and_never_changes_the_verdict(
    cli: Any, pr_env: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    github.fail_with = (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"})
    res = cli("summary", "--run", str(pr_env), "--pr-comment", "--exit-code", cwd=tmp_path)
    assert res.code == 1  # the gate's verdict, not the API's
    assert "rate limit reached" in res.err and "resets at" in res.err
    github.fail_with = (429, {"retry-after": "30"})
    res = cli("summary", "--run", str(pr_env), "--pr-comment", cwd=tmp_path)
    assert res.code == 0 and "retry after 30 s" in res.err


def test_permission_error_and_missing_context(
    cli: Any, pr_env: Path, github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.fail_with = (403, {})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    res = cli("summary", "--run", str(pr_env), "--pr-comment", "--out", "s.md", cwd=tmp_path)
    assert res.code == 0 and "pull-requests: write" in res.err
    assert "::warning title=maestro-ci summary::PR comment not posted" in res.out
    monkeypatch.delenv("GITHUB_ACTIONS")
    monkeypatch.delenv("GITHUB_TOKEN")
    skipped = cli("summary", "--run", str(pr_env), "--pr-comment", cwd=tmp_path)
    assert skipped.code == 0 and "PR comment skipped: missing GITHUB_TOKEN" in skipped.err


def test_unreachable_api_is_a_clear_error() -> None:
    api = GitHubApi("http://127.0.0.1:9", "t")
    with pytest.raises(GitHubApiError, match="could not list the pull request comments: ConnectError"):
        api.upsert_comment("acme/shop", 1, "body")
