"""The analysis loop on a fake clock: schedule, limits, retries with backoff, verdicts."""

from __future__ import annotations

import math
from typing import Any

import pytest

from maestro_ci.jobs.health import run_gate
from maestro_ci.jobs.health_model import GateSpec
from maestro_ci.models import GateResult, Status
from maestro_ci.sections.health import HealthSection
from maestro_ci.sources.probe import Probe, ProbeError
from tests.health.conftest import FakeClock, ScriptedFetch, unreachable

CONFIG = HealthSection(retries=2, retry_backoff=1.0, retry_backoff_max=3.0)


def gate(*metrics: dict[str, Any], **top: Any) -> GateSpec:
    return GateSpec.model_validate({"metrics": list(metrics), **top})


def metric(name: str, success: str | None = "result >= 0.85", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "source": {"type": "file", "file": name}, **extra}
    if success is not None:
        body["success"] = success
    return body


def run(
    spec: GateSpec, clock: FakeClock, script: dict[str, list[Any]], **kw: Any
) -> tuple[GateResult, ScriptedFetch]:
    fetch = ScriptedFetch(clock, script, latency=kw.pop("latency", 0.0))
    return run_gate(spec, fetch, kw.pop("config", CONFIG), clock=clock, sleep=clock.sleep, **kw), fetch


def phases(result: GateResult) -> dict[str, str]:
    return {m["name"]: m["phase"] for m in result.details["metrics"]}


def test_promote_after_every_measurement_on_schedule(clock: FakeClock) -> None:
    spec = gate(metric("score", analysis={"count": 4, "interval": "10s", "initial_delay": "5s"}))
    result, _fetch = run(spec, clock, {"score": [0.9, 0.91, 0.95, 0.99]}, latency=0.5)
    assert result.status is Status.PASS and result.details["verdict"] == "promote"
    ats = [m["at"] for m in result.details["metrics"][0]["measurements"]]
    assert ats == [5.5, 15.5, 25.5, 35.5]  # measured at 5, 15, 25, 35 (+ latency), no drift
    assert clock.sleeps == [5.0, 9.5, 9.5, 9.5]
    assert result.exit_code == 0


def test_failure_limit_and_early_rollback(clock: FakeClock) -> None:
    spec = gate(
        metric("score", analysis={"count": 10, "interval": "1m", "failure_limit": 1}),
        metric("other", analysis={"count": 10, "interval": "1m"}),
    )
    result, _ = run(spec, clock, {"score": [0.9, 0.5, 0.9, 0.4, 0.9], "other": [0.9]})
    assert phases(result) == {"score": "failed", "other": "stopped"}
    assert result.details["verdict"] == "rollback" and result.status is Status.FAIL and result.exit_code == 1
    assert len(result.details["metrics"][0]["measurements"]) == 4  # stopped at the 2nd failure
    assert result.reasons[0].code == "health.failed"
    assert "score" in result.reasons[0].message


def test_no_data_is_inconclusive_and_holds_naming_the_metric(clock: FakeClock) -> None:
    spec = gate(metric("score"), metric("p95", "result < 300"))
    result, _ = run(spec, clock, {"score": [0.9], "p95": [None]})
    assert result.details["verdict"] == "hold" and result.exit_code == 1
    assert "p95" in result.summary and "lacked data" in result.reasons[0].message


@pytest.mark.parametrize(
    ("outcome", "phase"), [("pass", "successful"), ("fail", "failed"), ("inconclusive", "inconclusive")]
)
def test_on_no_data_and_on_nan(clock: FakeClock, outcome: str, phase: str) -> None:
    spec = gate(metric("a", on_no_data=outcome), metric("b", on_nan=outcome))
    result, _ = run(spec, clock, {"a": [None], "b": [math.nan]})
    assert phases(result) == {"a": phase, "b": phase}


def test_conditions_that_handle_no_data_and_nan_themselves(clock: FakeClock) -> None:
    spec = gate(
        metric("count", "len(result) > 0", on_no_data="pass"),
        metric("nan", None, failure="isNaN(result)", on_nan="pass"),
    )
    result, _ = run(spec, clock, {"count": [None], "nan": [math.nan]})
    assert phases(result) == {"count": "failed", "nan": "failed"}
    assert result.details["metrics"][1]["measurements"][0]["value"] == "NaN"


def test_success_and_failure_both_false_is_inconclusive(clock: FakeClock) -> None:
    spec = gate(metric("x", "result > 10", failure="result < 0"))
    result, _ = run(spec, clock, {"x": [5.0]})
    assert phases(result) == {"x": "inconclusive"}


def test_unreachable_source_is_retried_with_backoff_then_errors_exit_3(clock: FakeClock) -> None:
    spec = gate(metric("score"))
    result, fetch = run(spec, clock, {"score": [unreachable()]})
    assert clock.sleeps == [1.0, 2.0]  # two retries, doubling
    assert len(fetch.calls) == 3
    assert result.status is Status.ERROR and result.exit_code == 3
    assert result.reasons[0].code == "health.unreachable"
    assert result.details["metrics"][0]["measurements"][0]["attempts"] == 3


def test_retry_that_recovers_counts_as_success(clock: FakeClock) -> None:
    spec = gate(metric("score"))
    result, _ = run(spec, clock, {"score": [unreachable(), 0.9]})
    assert result.status is Status.PASS


def test_consecutive_error_limit_and_a_source_still_failing_at_the_end(clock: FakeClock) -> None:
    config = HealthSection(retries=0)
    spec = gate(metric("s", analysis={"count": 3, "interval": "1s", "consecutive_error_limit": 4}))
    result, _ = run(spec, clock, {"s": [0.9, 0.9, unreachable()]}, config=config)
    assert phases(result) == {"s": "error"}  # never passes while still failing
    spec = gate(metric("s", analysis={"count": 9, "interval": "1s", "consecutive_error_limit": 1}))
    result, _ = run(spec, clock, {"s": [unreachable(), unreachable(), 0.9]}, config=config)
    assert phases(result) == {"s": "error"}
    assert "2 errors in a row" in result.details["metrics"][0]["why"]


def test_errors_that_are_not_unreachable_roll_back_with_exit_1(clock: FakeClock) -> None:
    spec = gate(metric("s"))
    result, fetch = run(spec, clock, {"s": [ProbeError("bad_data: parse error")]})
    assert len(fetch.calls) == 1  # not retried
    assert result.details["verdict"] == "rollback" and result.status is Status.FAIL


def test_consecutive_success_limit_stops_early(clock: FakeClock) -> None:
    spec = gate(metric("s", analysis={"count": 100, "interval": "1m", "consecutive_success_limit": 3}))
    result, fetch = run(spec, clock, {"s": [0.9]})
    assert len(fetch.calls) == 3 and result.status is Status.PASS


def test_dry_run_metric_never_blocks(clock: FakeClock) -> None:
    spec = gate(metric("s"), metric("d", analysis={"dry_run": True}))
    result, _ = run(spec, clock, {"s": [0.9], "d": [0.1]})
    assert result.details["verdict"] == "promote" and result.status is Status.WARN
    assert result.reasons[0].severity is Status.WARN and "dry run" in result.reasons[0].message
    assert result.summary.startswith("promote (dry run: without it, rollback)")
    assert result.details["verdict_without_dry_run"] == "rollback"


def test_deadline_leaves_unfinished_metrics_inconclusive(clock: FakeClock) -> None:
    spec = gate(metric("s", analysis={"count": 10, "interval": "1m"}), timeout="150s")
    result, fetch = run(spec, clock, {"s": [0.9]})
    assert len(fetch.calls) == 3
    assert phases(result) == {"s": "inconclusive"} and result.details["verdict"] == "hold"
    assert "timed out after 3 of 10" in result.details["metrics"][0]["why"]


def test_deadline_cuts_retries(clock: FakeClock) -> None:
    spec = gate(metric("s"), timeout="2s")
    result, fetch = run(spec, clock, {"s": [unreachable()]})
    assert len(fetch.calls) == 2 and result.status is Status.ERROR


def test_eval_error_is_an_error_measurement(clock: FakeClock) -> None:
    spec = gate(metric("s", "result >= 1"))
    result, _ = run(spec, clock, {"s": [[1.0, 2.0, 3.0]]})
    assert phases(result) == {"s": "successful"}  # comparison over every series
    result, _ = run(gate(metric("s", "result + 1 > 1")), clock, {"s": [[1.0, 2.0]]})
    assert phases(result)["s"] == "error"
    assert "list of 2" in result.details["metrics"][0]["measurements"][0]["message"]


def test_burn_rate_needs_both_windows(clock: FakeClock) -> None:
    burn = {"objective": 0.99, "long_window": "1h", "short_window": "5m", "max_burn": 2}
    src = {"type": "prometheus", "url": "http://x", "query": "ratio[{{window}}]"}
    spec = gate({"name": "b", "source": src, "burn_rate": burn})
    result, fetch = run(spec, clock, {"ratio[1h]": [0.05], "ratio[5m]": [0.005]})
    assert phases(result) == {"b": "successful"}  # long burns 5x, short 0.5x: over, not ongoing
    assert [c[1] for c in fetch.calls] == [{"window": "1h"}, {"window": "5m"}]
    result, _ = run(spec, clock, {"ratio[1h]": [0.05], "ratio[5m]": [[0.03]]})
    assert phases(result) == {"b": "failed"}
    stats = result.details["metrics"][0]["measurements"][0]["stats"]
    assert stats["long_burn"] == pytest.approx(5) and stats["short_burn"] == pytest.approx(3)
    result, _ = run(spec, clock, {"ratio[1h]": [None], "ratio[5m]": [0.0]})
    assert phases(result) == {"b": "inconclusive"}
    result, _ = run(spec, clock, {"ratio[1h]": [math.nan], "ratio[5m]": [0.0]})
    assert phases(result) == {"b": "inconclusive"}
    result, _ = run(
        spec, clock, {"ratio[1h]": [[0.1, 0.2]], "ratio[5m]": [0.0]}, config=HealthSection(retries=0)
    )
    assert phases(result) == {"b": "error"}


def test_compare_classifies_and_checks_variance(clock: FakeClock) -> None:
    def cmp(direction: str = "increase") -> GateSpec:
        return gate(
            {
                "name": "lat",
                "source": {"type": "file", "file": "canary"},
                "compare": {"baseline": {"type": "file", "file": "base"}, "direction": direction},
            }
        )

    base = [100.0 + i % 5 for i in range(30)]
    high = [v * 1.5 for v in base]
    result, _ = run(cmp(), clock, {"canary": [high], "base": [base]})
    assert phases(result) == {"lat": "failed"}
    assert "canary is high" in result.details["metrics"][0]["measurements"][0]["message"]
    result, _ = run(cmp("decrease"), clock, {"canary": [high], "base": [base]})
    assert phases(result) == {"lat": "successful"}
    result, _ = run(cmp("either"), clock, {"canary": [[v * 0.5 for v in base]], "base": [base]})
    assert phases(result) == {"lat": "failed"}
    noisy = [100.0 + (40 if i % 2 else -40) + i % 5 for i in range(30)]
    result, _ = run(cmp(), clock, {"canary": [noisy], "base": [base]})
    assert phases(result) == {"lat": "failed"}
    assert "variance" in result.details["metrics"][0]["measurements"][0]["message"]
    result, _ = run(cmp(), clock, {"canary": [[1.0]], "base": [base]})
    assert phases(result) == {"lat": "inconclusive"}
    same = [100.0 + (i * 7) % 5 for i in range(30)]
    result, _ = run(cmp(), clock, {"canary": [same], "base": [base]})
    stats = result.details["metrics"][0]["measurements"][0]["stats"]
    assert phases(result) == {"lat": "successful"} and stats["classification"] == "pass"
    assert set(stats) >= {"u", "p_value", "effect", "canary_median", "baseline_median", "variance_ratio"}


def test_probe_objects_keep_the_resolved_query(clock: FakeClock) -> None:
    spec = gate(metric("s"))
    result, _ = run(spec, clock, {"s": [Probe(0.9, "SELECT score", raw="0.9")]})
    m = result.details["metrics"][0]["measurements"][0]
    assert m["query"] == ["SELECT score"] and m["raw"] == ["0.9"] and m["time"].endswith("Z")
    GateResult.model_validate_json(result.model_dump_json())


def test_a_late_measurement_shifts_the_schedule_instead_of_bunching(clock: FakeClock) -> None:
    spec = gate(metric("s", analysis={"count": 3, "interval": "10s"}), metric("slow", analysis={"count": 1}))
    script: dict[str, list[Any]] = {"s": [0.9], "slow": [0.9]}
    fetch = ScriptedFetch(clock, script)
    original = fetch.__call__

    def slow_first(source: Any, variables: dict[str, str]) -> Probe:
        if getattr(source, "file", "") == "slow":
            clock.now += 25  # a source that takes 25 s
        return original(source, variables)

    result = run_gate(spec, slow_first, CONFIG, clock=clock, sleep=clock.sleep)
    ats = [m["at"] for m in result.details["metrics"][0]["measurements"]]
    assert ats == [0.0, 25.0, 35.0]
