"""``maestro-ci health`` end to end: quick forms, env defaults, the drop-in script, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.health.conftest import LoopbackServer, Reply, write

ROOT = Path(__file__).resolve().parents[2]


def slo(loopback: LoopbackServer, score: float = 0.9, p95: float = 250, rate: float = 0.001) -> None:
    loopback.route("/eval", Reply(body={"score": score, "n": 40}))
    loopback.route("/latency", Reply(body={"p95": p95}))
    loopback.route("/error_rate", Reply(body={"value": rate}))


def test_quick_form_with_env_defaults(
    cli: Any, tmp_path: Path, loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slo(loopback)
    monkeypatch.setenv("EVAL_GATE_URL", loopback.url + "/eval")
    monkeypatch.setenv("SLO_API", loopback.url)
    res = cli(
        "health",
        "--min-score",
        "0.85",
        "--max-p95-ms",
        "300",
        "--max-error-rate",
        "0.01",
        "--timeout",
        "5m",
        "--no-record",
        cwd=tmp_path,
    )
    assert res.code == 0, res.out + res.err
    assert "promote: 3 of 3" in res.out and "#1" in res.out
    assert loopback.hits == {"/eval": 1, "/latency": 1, "/error_rate": 1}


def test_quick_form_rolls_back_on_latency(cli: Any, tmp_path: Path, loopback: LoopbackServer) -> None:
    slo(loopback, p95=420)
    res = cli(
        "health",
        "--slo-api",
        loopback.url,
        "--max-p95-ms",
        "300",
        "--format",
        "json",
        "--no-record",
        cwd=tmp_path,
    )
    data = json.loads(res.out)
    assert res.code == 1 and data["details"]["verdict"] == "rollback"
    assert data["details"]["metrics"][0]["measurements"][0]["value"] == 420


def test_quick_form_needs_a_url_or_prometheus_queries(cli: Any, tmp_path: Path) -> None:
    res = cli("health", "--min-score", "0.85", cwd=tmp_path)
    assert res.code == 2 and "EVAL_GATE_URL" in res.err
    res = cli("health", "--prometheus", "http://127.0.0.1:9", "--max-p95-ms", "300", cwd=tmp_path)
    assert res.code == 2 and "--p95-query" in res.err
    res = cli("health", cwd=tmp_path)
    assert res.code == 2 and "nothing to check" in res.err
    res = cli("health", "--gate", "g.yml", "--min-score", "0.8", cwd=tmp_path)
    assert res.code == 2 and "either --gate" in res.err
    for flag, value in (("--timeout", "soon"), ("--interval", "-5s"), ("--count", "0")):
        res = cli("health", "--min-score", "0.8", "--score-url", "http://x", flag, value, cwd=tmp_path)
        assert res.code == 2 and flag in res.err and "Traceback" not in res.err


@pytest.mark.prometheus
def test_prometheus_quick_form(cli: Any, tmp_path: Path, prometheus: Any) -> None:
    res = cli(
        "health",
        "--prometheus",
        prometheus.url,
        "--min-score",
        "0.9",
        "--score-query",
        "demo_score",
        "--max-error-rate",
        "0.01",
        "--error-rate-query",
        "vector(0.001)",
        "--no-record",
        cwd=tmp_path,
    )
    assert res.code == 0, res.out + res.err


def test_markdown_and_recorded_json(cli: Any, git_repo: Any, loopback: LoopbackServer) -> None:
    slo(loopback, score=0.5)
    write(
        git_repo.path / "gate.yml",
        f'metrics:\n  - name: score\n    source: {{type: http_json, url: "{loopback.url}/eval", json_path: $.score}}\n    success: result >= 0.85\n    analysis: {{count: 2, interval: 0s, failure_limit: 2}}\n',
    )
    res = cli("health", "--gate", "gate.yml", "--format", "markdown", cwd=git_repo.path)
    assert res.code == 1
    assert "**Verdict: ⏸️ hold**" in res.out and "xychart-beta" in res.out and "| 2 |" in res.out
    recorded = list((git_repo.path / ".maestro" / "runs").rglob("health*.json"))
    assert recorded, list((git_repo.path / ".maestro").rglob("*"))
    data = json.loads(recorded[0].read_text())
    assert data["inputs"][0]["path"] == "gate.yml"
    from maestro_ci.models import GateResult

    GateResult.model_validate(data)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "metrics:\n  - name: a\n    source: {type: prom, url: x, query: up}\n    success: result > 1\n",
            "unknown source type 'prom'",
        ),
        ("metrics:\n  - name: a\n    source: {type: file, file: x}\n    success: result >< 1\n", "column 9"),
        (
            "metrics:\n  - name: a\n    source: {type: file, file: x}\n    success: result > 1\n    analysis: {interval: 5 minutes}\n",
            "interval",
        ),
        (
            "metrics:\n  - name: a\n    source: {type: file, file: x}\n    success: result > 1\n    analysis: {interval: -5s}\n",
            "negative",
        ),
        (
            "metrics:\n  - name: a\n    source: {type: file, file: x}\n    success: result > 1\n    analysis: {count: 0}\n",
            "minimum of 1",
        ),
        (
            "metrics:\n  - name: a\n    source: {type: http_json, url_env: SCORE_URL}\n    success: result > 1\n",
            "SCORE_URL",
        ),
        (
            "metrics:\n  - name: a\n    source: {type: prometheus, url: http://x, query: up, bearer_token_env: PROM_TOKEN}\n    success: result > 1\n",
            "PROM_TOKEN",
        ),
        (
            "metrics:\n  - name: a\n    source: {type: file, file: x, json_path: 'a..b'}\n    success: result > 1\n",
            "JSON path",
        ),
        ("metrics:\n  - name: a\n    source: {type: file, file: x}\n", "success"),
        ("metrics: []\n", "metrics"),
    ],
)
def test_bad_gate_files_exit_2(cli: Any, tmp_path: Path, body: str, expected: str) -> None:
    write(tmp_path / "gate.yml", body)
    res = cli("health", "--gate", "gate.yml", cwd=tmp_path)
    assert res.code == 2, res.out + res.err
    assert expected in res.err and "gate.yml" in res.err and "Traceback" not in res.err


def test_validate_knows_gate_files(cli: Any, tmp_path: Path) -> None:
    write(
        tmp_path / "gate.yml",
        "metrics:\n  - name: a\n    source: {type: file, file: x}\n    success: result >>= 1\n",
    )
    res = cli("validate", "gate.yml", "--no-record", cwd=tmp_path)
    assert res.code == 2 and "column" in res.err


def test_file_and_command_sources(cli: Any, tmp_path: Path) -> None:
    write(tmp_path / "m.json", '{"p95": [120, 180]}')
    write(tmp_path / "n.txt", "NaN")
    script = "import sys; print('{\"v\": 0.004}')"
    write(
        tmp_path / "gate.yml",
        "metrics:\n"
        "  - name: file\n    source: {type: file, file: m.json, json_path: p95}\n    success: max(result) < 300\n"
        f"  - name: cmd\n    source: {{type: command, argv: [{json.dumps(sys.executable)}, -c, {json.dumps(script)}], json_path: v}}\n    success: result < 0.01\n"
        "  - name: nan\n    source: {type: file, file: n.txt}\n    success: result < 1\n    on_nan: pass\n"
        "  - name: gone\n    source: {type: file, file: missing.json}\n    success: result < 1\n    on_no_data: pass\n",
    )
    res = cli("health", "--gate", "gate.yml", "--format", "json", "--no-record", cwd=tmp_path)
    data = json.loads(res.out)
    assert res.code == 0, data
    write(
        tmp_path / "gate.yml",
        "metrics:\n  - name: cmd\n    source: {type: command, argv: ['false']}\n    success: result < 1\n",
    )
    res = cli("health", "--gate", "gate.yml", "--format", "json", "--no-record", cwd=tmp_path)
    assert res.code == 1 and "exited 1" in json.loads(res.out)["reasons"][0]["message"]
    write(
        tmp_path / "gate.yml",
        "metrics:\n  - name: cmd\n    source: {type: command, argv: [no-such-program-xyz]}\n    success: result < 1\n",
    )
    res = cli("health", "--gate", "gate.yml", "--format", "json", "--no-record", cwd=tmp_path)
    assert res.code == 1 and "command not found" in res.out


def test_drop_in_script(tmp_path: Path, loopback: LoopbackServer) -> None:
    slo(loopback, score=0.9)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAESTRO_", "GITHUB_"))}
    env.update(
        EVAL_GATE_URL=loopback.url + "/eval",
        MAESTRO_CI=f"{sys.executable} -m maestro_ci",
        MAESTRO_NO_RECORD="1",
    )
    script = str(ROOT / "scripts" / "health-gate.sh")
    proc = subprocess.run(
        [script, "--min-score", "0.85", "--timeout", "5m"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "promote" in proc.stdout
    proc = subprocess.run(
        [script, "--min-score", "0.95", "--timeout", "5m"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "rollback" in proc.stdout
    proc = subprocess.run([script, "--help"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "EVAL_GATE_URL" in proc.stdout
