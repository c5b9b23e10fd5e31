"""Fault injection against a loopback server: the gate holds or rolls back, never promotes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.health.conftest import LoopbackServer, Reply, free_port, write

FAST = "health:\n  retries: 2\n  retry_backoff: 0s\n  request_timeout: 300ms\n"


def gate_cli(cli: Any, tmp_path: Path, url: str, *extra: str, source: str = "") -> tuple[int, dict[str, Any]]:
    write(tmp_path / ".maestro.yml", FAST)
    src = source or f'{{type: http_json, url: "{url}", json_path: $.score}}'
    gate = write(
        tmp_path / "gate.yml", f"metrics:\n  - name: score\n    source: {src}\n    success: result >= 0.85\n"
    )
    res = cli("health", "--gate", str(gate), "--format", "json", "--no-record", *extra, cwd=tmp_path)
    assert res.out, res.err
    return res.code, json.loads(res.out)


def test_healthy_endpoint_promotes(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/score", Reply(body={"score": 0.93}))
    code, data = gate_cli(cli, tmp_path, loopback.url + "/score")
    assert code == 0 and data["details"]["verdict"] == "promote"


def test_connection_refused_is_exit_3(cli: Any, tmp_path: Path) -> None:
    code, data = gate_cli(cli, tmp_path, f"http://127.0.0.1:{free_port()}/score")
    assert code == 3 and data["status"] == "error" and data["details"]["verdict"] == "rollback"
    assert "cannot connect" in data["reasons"][0]["message"]


def test_timeouts_are_retried_then_no_verdict(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/score", Reply(body={"score": 0.99}, delay=2))
    code, data = gate_cli(cli, tmp_path, loopback.url + "/score")
    assert code == 3 and loopback.hits["/score"] == 3
    assert "did not answer within 0.3s" in data["reasons"][0]["message"]


def test_5xx_burst_then_recovery(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route(
        "/score",
        Reply(503, "busy", "text/plain"),
        Reply(502, "bad gw", "text/plain"),
        Reply(body={"score": 0.9}),
    )
    code, _ = gate_cli(cli, tmp_path, loopback.url + "/score")
    assert code == 0 and loopback.hits["/score"] == 3


def test_5xx_that_lasts_never_promotes(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/score", Reply(500, "boom", "text/plain"))
    code, data = gate_cli(cli, tmp_path, loopback.url + "/score", "--count", "3", "--interval", "0s")
    assert code == 3 and "HTTP 500" in data["reasons"][0]["message"]


@pytest.mark.parametrize(
    ("reply", "code", "verdict"),
    [
        (Reply(body="{not json", content_type="application/json"), 1, "rollback"),
        (Reply(body={"other": 1}), 1, "hold"),
        (Reply(body={"score": None}), 1, "hold"),
        (Reply(body={"score": "high"}), 1, "rollback"),
        (Reply(404, "404 page not found\n", "text/plain"), 1, "rollback"),
        (Reply(body={"score": 0.5}), 1, "rollback"),
    ],
)
def test_bad_answers_never_promote(
    cli: Any, tmp_path: Path, loopback: LoopbackServer, reply: Reply, code: int, verdict: str
) -> None:
    loopback.route("/score", reply)
    got, data = gate_cli(cli, tmp_path, loopback.url + "/score")
    assert (got, data["details"]["verdict"]) == (code, verdict)
    assert data["reasons"]


def test_json_path_that_matches_nothing_is_named(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/score", Reply(body={"data": {"value": 1}}))
    _, data = gate_cli(
        cli,
        tmp_path,
        loopback.url + "/score",
        source=f'{{type: http_json, url: "{loopback.url}/score", json_path: $.data.score}}',
    )
    assert "$.data.score matched nothing" in data["reasons"][0]["message"]


def test_slow_but_in_time_answers_pass(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.route("/score", Reply(body={"score": 0.9}, delay=0.05))
    code, _ = gate_cli(cli, tmp_path, loopback.url + "/score")
    assert code == 0


def test_prometheus_503_and_bad_json_from_a_fake_server(
    cli: Any, tmp_path: Path, loopback: LoopbackServer
) -> None:
    loopback.route(
        "/api/v1/query", Reply(503, {"status": "error", "errorType": "unavailable", "error": "not ready"})
    )
    source = f'{{type: prometheus, url: "{loopback.url}", query: up}}'
    code, data = gate_cli(cli, tmp_path, "", source=source)
    assert code == 3 and loopback.hits["/api/v1/query"] == 3
    assert "unavailable" in data["reasons"][0]["message"]
    loopback.route(
        "/api/v1/query",
        Reply(body={"status": "success", "data": {"resultType": "string", "result": [1, "x"]}}),
    )
    code, data = gate_cli(cli, tmp_path, "", source=source)
    assert code == 1 and "unexpected Prometheus result type" in data["reasons"][0]["message"]
    loopback.route("/api/v1/query", Reply(body=[1, 2]))
    code, data = gate_cli(cli, tmp_path, "", source=source)
    assert code == 1 and "Prometheus API document" in data["reasons"][0]["message"]


def test_credentials_are_sent_from_the_environment(
    cli: Any, tmp_path: Path, loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.route("/score", Reply(body={"score": 0.9}))
    monkeypatch.setenv("SCORE_TOKEN", "tok-123")
    monkeypatch.setenv("SCORE_URL", loopback.url + "/score")
    monkeypatch.setenv("TENANT", "shop")
    source = "{type: http_json, url_env: SCORE_URL, bearer_token_env: SCORE_TOKEN, headers_env: {X-Tenant: TENANT}, json_path: score}"
    code, data = gate_cli(cli, tmp_path, "", source=source)
    assert code == 0
    assert (
        loopback.headers[-1]["Authorization"] == "Bearer tok-123"
        and loopback.headers[-1]["X-Tenant"] == "shop"
    )
    assert "tok-123" not in json.dumps(data)


@pytest.mark.parametrize(
    ("url", "text"), [("ftp://127.0.0.1/x", "use http:// or https://"), ("http://[::1/x", "invalid URL")]
)
def test_invalid_urls_roll_back_without_retries(cli: Any, tmp_path: Path, url: str, text: str) -> None:
    code, data = gate_cli(cli, tmp_path, url)
    assert code == 1 and text in data["reasons"][0]["message"]


def test_result_validates_against_the_published_schema(
    cli: Any, tmp_path: Path, loopback: LoopbackServer
) -> None:
    import jsonschema

    loopback.route("/score", Reply(body='{"score": NaN}'))
    _, data = gate_cli(cli, tmp_path, loopback.url + "/score")
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "schemas" / "gate-result.schema.json").read_text()
    )
    jsonschema.Draft202012Validator(schema).validate(data)
