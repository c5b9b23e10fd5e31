"""Fixtures of the health tests: a real Prometheus, a scriptable loopback HTTP server, a fake clock."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from maestro_ci.sources.probe import Probe, ProbeError

# read at import: the autouse fixture strips MAESTRO_* variables from each test's environment
REQUIRE_REAL = bool(os.environ.get("MAESTRO_REQUIRE_REAL_COMPONENTS"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], deadline_s: float, what: str) -> None:
    """Poll ``check`` until it is true or the deadline passes (no fixed sleeps)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if check():
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class LoopbackServer:
    """A loopback HTTP server answering each path from a script of replies (last one repeats)."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    headers: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)
        self.hits[path] = 0

    def answer(self, path: str) -> Reply:
        script = self.routes.get(path)
        if not script:
            return Reply(404, "404 page not found\n", "text/plain")
        n = self.hits.get(path, 0)
        self.hits[path] = n + 1
        return script[min(n, len(script) - 1)]


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server_state = LoopbackServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self) -> None:
            server_state.headers.append(dict(self.headers))
            reply = server_state.answer(self.path.split("?")[0])
            if reply.delay:
                server_state.stop.wait(reply.delay)  # a slow server, not test synchronisation
            body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = body.encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = _reply
        do_POST = _reply

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server_state.stop.set()
        httpd.shutdown()
        httpd.server_close()


@dataclass
class FakeClock:
    now: float = 1_700_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class ScriptedFetch:
    """A fetch function answering from a list per source key; each answer may advance the clock."""

    def __init__(self, clock: FakeClock, script: dict[str, list[Any]], latency: float = 0.0) -> None:
        self.clock = clock
        self.script = script
        self.latency = latency
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, source: Any, variables: dict[str, str]) -> Probe:
        key = getattr(source, "file", None) or getattr(source, "query", None) or "?"
        key = key.replace("{{window}}", variables.get("window", "{{window}}"))
        self.calls.append((key, dict(variables)))
        self.clock.now += self.latency
        answers = self.script[key]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Probe):
            return answer
        return Probe(answer, key, raw=repr(answer), no_data="" if answer is not None else "empty")


def unreachable(message: str = "connection refused") -> ProbeError:
    return ProbeError(message, unreachable=True)


# --- a real Prometheus -------------------------------------------------------------------------


@dataclass
class PromServer:
    url: str
    exporter: LoopbackServer | None = None


EXPORTER_TEXT = (
    "# TYPE demo_requests_total counter\n"
    'demo_requests_total{track="canary"} 100\n'
    'demo_requests_total{track="baseline"} 300\n'
    "# TYPE demo_score gauge\n"
    "demo_score 0.93\n"
)


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    binary = shutil.which("prometheus")
    if binary is None:
        if REQUIRE_REAL or os.environ.get("MAESTRO_REQUIRE_REAL_COMPONENTS"):
            pytest.fail("prometheus is not installed but MAESTRO_REQUIRE_REAL_COMPONENTS is set")
        pytest.skip("prometheus binary not installed (apt-get install prometheus)")
    folder = tmp_path_factory.mktemp("prometheus")
    exporter = LoopbackServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            data = EXPORTER_TEXT.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    exporter.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = free_port()
    config = folder / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: demo\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{exporter.port}']}}]\n",
        encoding="utf-8",
    )
    log = (folder / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-remote-write-receiver",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"prometheus exited: {(folder / 'prometheus.log').read_text()[-2000:]}")
            try:
                return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        def scraped() -> bool:
            answer = httpx.get(f"{url}/api/v1/query", params={"query": "demo_score"}, timeout=2).json()
            return bool(answer["data"]["result"])

        wait_until(ready, 30, "prometheus /-/ready")
        wait_until(scraped, 30, "the first scrape of the test exporter")
        yield PromServer(url, exporter)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        httpd.shutdown()
        httpd.server_close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
