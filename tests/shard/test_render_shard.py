"""Summary sections: the shard balance chart and the flaky table."""

from __future__ import annotations

from maestro_ci.jobs.flaky import flaky_result
from maestro_ci.jobs.shard import plan
from maestro_ci.jobs.shard_gate import shard_result, with_realised
from maestro_ci.render.markdown import render_page
from maestro_ci.timing_model import Evidence, TestTiming, TimingStore


def test_shard_section_has_predicted_and_realised() -> None:
    tests = {f"t{i}.py::x": float(i + 1) for i in range(5)}
    store = TimingStore(tests={k: TestTiming(runs=1, duration=v) for k, v in tests.items()})
    p = plan(list(tests), store, 2)
    page = render_page([shard_result(p, None)])
    assert "xychart-beta" in page and "bar [" in page and "line [" not in page
    realised = with_realised(p, [8.0, 7.5])
    page = render_page([shard_result(realised, None)])
    assert "line [8.00, 7.50]" in page
    assert "| 1 |" in page and "8.00" in page
    assert realised.digest == p.digest  # realised times do not change the plan's identity


def test_skewed_plan_warns() -> None:
    tests = {"big.py::x": 100.0, "small.py::y": 1.0}
    store = TimingStore(tests={k: TestTiming(runs=1, duration=v) for k, v in tests.items()})
    result = shard_result(plan(list(tests), store, 4), None, fits=False, max_minutes=1)
    codes = {r.code for r in result.reasons}
    assert {"shard.empty", "shard.too-slow"} <= codes
    assert result.status == "warn"


def test_flaky_section_lists_evidence() -> None:
    store = TimingStore(
        tests={
            "t.py::a": TestTiming(
                runs=4,
                passed=3,
                failed=1,
                flaky=1,
                evidence=[
                    Evidence(
                        kind="same-commit", batch="b", commit="abcdef123456", outcomes=["failed", "passed"]
                    )
                ],
            )
        }
    )
    page = render_page([flaky_result(store, 1)])
    assert "same-commit @abcdef12: failed → passed" in page
    assert "25.0%" in page
