"""Against a real Prometheus on 127.0.0.1: every result type, NaN/+Inf, error answers, a 404 page."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro_ci.sources.http import HttpClient
from maestro_ci.sources.probe import ProbeError
from maestro_ci.sources.prometheus import query
from tests.health.conftest import PromServer, write

pytestmark = pytest.mark.prometheus


@pytest.fixture
def client() -> Iterator[HttpClient]:
    c = HttpClient()
    yield c
    c.close()


def test_vector_from_a_scraped_exporter(prometheus: PromServer, client: HttpClient) -> None:
    probe = query(client, prometheus.url, "demo_score", {}, 5)
    assert probe.value == [0.93]
    probe = query(client, prometheus.url, "sum by (track) (demo_requests_total)", {}, 5)
    assert sorted(probe.value or []) == [100.0, 300.0]
    assert "track=canary" in probe.raw


def test_scalar_nan_and_inf(prometheus: PromServer, client: HttpClient) -> None:
    assert query(client, prometheus.url, "scalar(demo_score) * 2", {}, 5).value == pytest.approx(1.86)
    nan = query(client, prometheus.url, "NaN", {}, 5).value
    assert isinstance(nan, float) and math.isnan(nan)
    assert query(client, prometheus.url, "+Inf", {}, 5).value == math.inf
    assert query(client, prometheus.url, "vector(-Inf)", {}, 5).value == [-math.inf]


def test_empty_vector_is_no_data(prometheus: PromServer, client: HttpClient) -> None:
    probe = query(client, prometheus.url, "demo_score > 1", {}, 5)
    assert probe.value is None
    assert "empty vector" in probe.no_data


def test_range_query_gives_every_sample(prometheus: PromServer, client: HttpClient) -> None:
    probe = query(client, prometheus.url, "vector(time() % 7)", {}, 5, window=300, step=10)
    assert isinstance(probe.value, list) and len(probe.value) == 31
    assert "range 300s step 10s" in probe.resolved


def test_bad_data_400_is_not_retried(prometheus: PromServer, client: HttpClient) -> None:
    with pytest.raises(ProbeError) as info:
        query(client, prometheus.url, "sum(rate(", {}, 5)
    assert "bad_data" in info.value.message and "HTTP 400" in info.value.message
    assert not info.value.retry and not info.value.unreachable


def test_execution_error_422(prometheus: PromServer, client: HttpClient) -> None:
    promql = (
        '(label_replace(vector(1), "x", "1", "", "") or label_replace(vector(2), "x", "2", "", ""))'
        " + on() vector(1)"
    )
    with pytest.raises(ProbeError) as info:
        query(client, prometheus.url, promql, {}, 5)
    assert "HTTP 422" in info.value.message and "execution" in info.value.message


def test_plain_text_404_names_the_url(prometheus: PromServer, client: HttpClient) -> None:
    with pytest.raises(ProbeError) as info:
        query(client, prometheus.url + "/not-prometheus", "up", {}, 5)
    assert "HTTP 404" in info.value.message and "base URL" in info.value.message


def test_gate_through_the_cli(prometheus: PromServer, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gate = write(
        tmp_path / "gate.yml",
        f"""
metrics:
  - name: score
    source: {{type: prometheus, url: "{prometheus.url}", query: demo_score}}
    success: result[0] >= 0.9
  - name: requests
    source: {{type: prometheus, url: "{prometheus.url}", query: 'sum(demo_requests_total)'}}
    success: len(result) > 0 && result > 10
  - name: latency
    unit: ms
    source:
      type: prometheus
      url: "{prometheus.url}"
      query: vector(300 + time() % 10)
      range: {{window: 5m, step: 10s}}
    compare:
      direction: increase
      baseline:
        type: prometheus
        url: "{prometheus.url}"
        query: vector(200 + time() % 10)
        range: {{window: 5m, step: 10s}}
  - name: availability
    source: {{type: prometheus, url: "{prometheus.url}", query: 'vector(0.0001) + 0 * vector(time()) # {{{{window}}}}'}}
    burn_rate: {{objective: 0.999, long_window: 1h, short_window: 5m}}
""",
    )
    res = cli("health", "--gate", str(gate), "--format", "json", "--no-record", cwd=tmp_path)
    import json

    data = json.loads(res.out)
    phases = {m["name"]: m["phase"] for m in data["details"]["metrics"]}
    assert phases == {
        "score": "successful",
        "requests": "successful",
        "latency": "failed",
        "availability": "successful",
    }
    assert res.code == 1 and data["details"]["verdict"] == "rollback"
    latency = next(m for m in data["details"]["metrics"] if m["name"] == "latency")
    stats = latency["measurements"][0]["stats"]
    assert stats["classification"] == "high" and stats["p_value"] < 0.05
    burn = next(m for m in data["details"]["metrics"] if m["name"] == "availability")
    assert burn["measurements"][0]["query"][0].endswith("# 1h")
    assert burn["measurements"][0]["stats"]["long_burn"] == pytest.approx(0.1)
