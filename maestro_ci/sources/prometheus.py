"""Prometheus HTTP API: instant and range queries, results as numbers or lists of numbers.

``vector`` gives one number per series, ``scalar`` one number, ``matrix`` every sample
of every series (in time order per series); an empty result is no data. ``NaN`` and
``+Inf`` are kept as floats. Error answers (``bad_data`` 400, 422 execution errors)
are reported with Prometheus' own message; 503 and no answer are retried.
"""

from __future__ import annotations

import time
from typing import Any

from maestro_ci.sources.http import Answer, HttpClient
from maestro_ci.sources.probe import Probe, ProbeError, excerpt, to_number


def query(
    client: HttpClient,
    base_url: str,
    promql: str,
    headers: dict[str, str],
    timeout: float,
    window: float | None = None,
    step: float = 60.0,
    now: float | None = None,
) -> Probe:
    base = base_url.rstrip("/")
    if window is None:
        url = f"{base}/api/v1/query"
        params = {"query": promql}
        resolved = promql
    else:
        end = time.time() if now is None else now
        url = f"{base}/api/v1/query_range"
        params = {"query": promql, "start": f"{end - window:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
        resolved = f"{promql} [range {window:g}s step {step:g}s]"
    answer = client.request("GET", url, timeout, headers=headers, params=params)
    data = _data(answer, url)
    return _probe(data, resolved)


def _data(answer: Answer, url: str) -> dict[str, Any]:
    body = answer.body
    if isinstance(body, dict) and body.get("status") == "error":
        kind = body.get("errorType", "error")
        message = (
            f"Prometheus refused the query ({kind}, HTTP {answer.status}): {excerpt(body.get('error', ''))}"
        )
        raise ProbeError(message, unreachable=answer.status >= 500)
    if answer.status >= 500 or answer.status == 429:
        raise ProbeError(f"{url} answered HTTP {answer.status}: {excerpt(answer.text, 80)}", unreachable=True)
    if answer.status >= 400:
        raise ProbeError(
            f"{url} answered HTTP {answer.status} ({excerpt(answer.text, 60)!r}); "
            "is this the Prometheus base URL?"
        )
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ProbeError(f"{url} did not answer a Prometheus API document: {excerpt(answer.text, 80)!r}")
    data: dict[str, Any] = body["data"]
    return data


def _probe(data: dict[str, Any], resolved: str) -> Probe:
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        value = to_number(result[1], "scalar")
        return Probe(value, resolved, raw=excerpt(result))
    if kind == "vector" and isinstance(result, list):
        values = [to_number(_pair(s, "value")[1], "sample") for s in result]
        labels = [_labels(s) for s in result]
        if not values:
            return Probe(None, resolved, raw="[]", no_data="the query returned an empty vector")
        return Probe(values, resolved, raw=excerpt(list(zip(labels, values, strict=True))))
    if kind == "matrix" and isinstance(result, list):
        values = [to_number(p[1], "sample") for s in result for p in _points(s)]
        if not values:
            return Probe(None, resolved, raw="[]", no_data="the range query returned no samples")
        return Probe(values, resolved, raw=f"{len(result)} series, {len(values)} samples")
    raise ProbeError(f"unexpected Prometheus result type {kind!r}: {excerpt(result)}")


def _pair(series: Any, key: str) -> list[Any]:
    pair = series.get(key) if isinstance(series, dict) else None
    if not isinstance(pair, list) or len(pair) != 2:
        raise ProbeError(f"malformed Prometheus sample: {excerpt(series)}")
    return pair


def _points(series: Any) -> list[list[Any]]:
    points = series.get("values") if isinstance(series, dict) else None
    if not isinstance(points, list) or not all(isinstance(p, list) and len(p) == 2 for p in points):
        raise ProbeError(f"malformed Prometheus series: {excerpt(series)}")
    return points


def _labels(series: Any) -> str:
    metric = series.get("metric") if isinstance(series, dict) else None
    if not isinstance(metric, dict) or not metric:
        return "{}"
    return "{" + ",".join(f"{k}={v}" for k, v in sorted(metric.items())) + "}"
