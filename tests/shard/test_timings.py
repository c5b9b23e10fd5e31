"""The timing store: ingest, flaky evidence, bounds, merge, corrupt and newer stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.jobs.timings import Limits, ingest, merge
from maestro_ci.sources.junit import Case, Report
from maestro_ci.sources.timing_store import load_store, save_store
from maestro_ci.timing_model import TimingStore


def report(*cases: tuple[str, str, float | None], overhead: float | None = None) -> Report:
    out = Report(path="r.xml", cases=[Case(n, o, t, raw_id=n) for n, o, t in cases])
    if overhead is not None:
        out.overhead.append(overhead)
    return out


def test_ingest_counts_median_and_spread() -> None:
    store = TimingStore()
    for i, (outcome, t) in enumerate([("passed", 1.0), ("failed", 3.0), ("passed", 2.0), ("skipped", 0.0)]):
        store, added = ingest(store, [report(("t.py::a", outcome, t))], f"b{i}")
        assert added
    rec = store.tests["t.py::a"]
    assert (rec.runs, rec.passed, rec.failed, rec.skipped) == (4, 2, 1, 1)
    assert rec.duration == 2.0  # skipped samples do not count towards the duration
    assert rec.spread == 1.0
    assert store.runs == 4


def test_same_batch_twice_changes_nothing() -> None:
    store, _ = ingest(TimingStore(), [report(("t.py::a", "passed", 1.0))], "b1")
    again, added = ingest(store, [report(("t.py::a", "passed", 1.0))], "b1")
    assert not added
    assert again == store


def test_window_keeps_the_last_k() -> None:
    store = TimingStore()
    for i in range(6):
        store, _ = ingest(store, [report(("t.py::a", "passed", float(i)))], f"b{i}", limits=Limits(window=3))
    rec = store.tests["t.py::a"]
    assert [s.time for s in rec.samples] == [3.0, 4.0, 5.0]
    assert rec.duration == 4.0
    assert rec.runs == 6


def test_unseen_tests_are_dropped() -> None:
    limits = Limits(drop_after=2)
    store, _ = ingest(TimingStore(), [report(("t.py::old", "passed", 1.0))], "b0", limits=limits)
    for i in range(1, 4):
        store, _ = ingest(store, [report(("t.py::new", "passed", 1.0))], f"b{i}", limits=limits)
    assert "t.py::old" not in store.tests
    assert "t.py::new" in store.tests


def test_retry_in_one_run_is_flaky_evidence() -> None:
    store, _ = ingest(
        TimingStore(), [report(("t.py::a", "failed", 1.0), ("t.py::a", "passed", 1.0))], "b1", commit="c1"
    )
    rec = store.tests["t.py::a"]
    assert rec.flaky == 1
    assert rec.evidence[0].kind == "retry"
    assert rec.evidence[0].outcomes == ["failed", "passed"]


def test_surefire_flaky_failure_is_evidence() -> None:
    case = Case("C::t", "passed", 1.0, raw_id="C::t", retries=["flakyFailure"])
    store, _ = ingest(TimingStore(), [Report(path="x", cases=[case])], "b1")
    assert store.tests["C::t"].evidence[0].outcomes == ["failure", "passed"]


def test_different_outcomes_on_one_commit_are_flaky_evidence() -> None:
    store, _ = ingest(TimingStore(), [report(("t.py::a", "passed", 1.0))], "b1", commit="abc")
    store, _ = ingest(store, [report(("t.py::a", "failed", 1.0))], "b2", commit="abc")
    store, _ = ingest(store, [report(("t.py::a", "failed", 1.0))], "b3", commit="abc")
    rec = store.tests["t.py::a"]
    assert rec.flaky == 1
    assert rec.evidence[0].kind == "same-commit"
    store, _ = ingest(store, [report(("t.py::a", "failed", 1.0))], "b4", commit="def")
    assert store.tests["t.py::a"].flaky == 1  # a new commit that fails is not a flake


def test_fixture_setup_cost_from_junit_first_test() -> None:
    rep = report(("t.py::a", "passed", 2.1), ("t.py::b", "passed", 0.1), ("t.py::c", "passed", 0.1))
    store, _ = ingest(TimingStore(), [rep], "b1")
    assert store.groups["t.py"].setup == pytest.approx(2.0)
    assert store.tests["t.py::a"].duration == pytest.approx(0.1)


def test_fixture_setup_cost_from_setup_phases() -> None:
    cases = [Case("t.py::a", "passed", 1.6, "t.py::a"), Case("t.py::b", "passed", 0.2, "t.py::b")]
    cases[0].setup, cases[1].setup = 1.5, 0.1
    store, _ = ingest(TimingStore(), [Report(path="p", cases=cases)], "b1")
    assert store.groups["t.py"].setup == pytest.approx(1.4)


def _shard_stores() -> tuple[TimingStore, TimingStore, TimingStore]:
    base, _ = ingest(TimingStore(), [report(("t.py::a", "passed", 1.0), ("u.py::b", "passed", 2.0))], "run1")
    one, _ = ingest(base, [report(("t.py::a", "failed", 3.0))], "run2-shard1")
    two, _ = ingest(base, [report(("u.py::b", "passed", 4.0), ("v.py::c", "passed", 1.0))], "run2-shard2")
    return base, one, two


def test_merge_adds_each_shard_once_and_is_order_independent() -> None:
    base, one, two = _shard_stores()
    merged = merge([one, two])
    assert merged == merge([two, one]) == merge([two, base, one])
    assert merged.tests["t.py::a"].runs == 2
    assert merged.tests["t.py::a"].failed == 1
    assert merged.tests["u.py::b"].runs == 2
    assert merged.tests["u.py::b"].duration == 3.0
    assert merged.tests["v.py::c"].runs == 1
    assert merged.runs == 3
    assert merge([merged, merged]) == merged


def test_merge_of_nothing_is_empty() -> None:
    assert merge([]) == TimingStore()


def test_store_round_trip_and_schema(tmp_path: Path) -> None:
    _, one, _ = _shard_stores()
    path = tmp_path / "timings.json"
    save_store(path, one)
    assert load_store(path) == one
    data = json.loads(path.read_text())
    assert data["tests"]["t.py::a"]["runs"] == 2 and data["tests"]["t.py::a"]["failed"] == 1
    assert load_store(tmp_path / "missing.json") == TimingStore()


def test_newer_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "timings.json"
    path.write_text(json.dumps({"schema_version": 99, "tests": {}}))
    with pytest.raises(InputError, match="newer"):
        load_store(path)
    assert path.exists()


@pytest.mark.parametrize("text", ["{not json", '{"schema_version": 1, "tests": {"a": {"runs": -1}}}', "[]"])
def test_corrupt_store_is_kept_aside(tmp_path: Path, text: str) -> None:
    path = tmp_path / "timings.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_store(path)
    aside = tmp_path / "timings.json.corrupt-1"
    assert aside.read_text() == text
    assert "corrupt-1" in str(info.value)
    assert not path.exists()


def test_collect_with_corrupt_store_exits_2_and_keeps_it(tmp_path: Path, cli) -> None:
    junit = tmp_path / "j.xml"
    junit.write_text('<testsuite><testcase classname="tests.test_a" name="test_x" time="1"/></testsuite>')
    store = tmp_path / "s.json"
    store.write_text("garbage")
    result = cli("timings", "collect", str(junit), "--store", str(store), cwd=tmp_path)
    assert result.code == 2
    assert "s.json.corrupt-1" in result.err
    assert (tmp_path / "s.json.corrupt-1").read_text() == "garbage"


def test_collect_and_merge_through_the_cli(tmp_path: Path, cli) -> None:
    j1 = tmp_path / "j1.xml"
    j1.write_text('<testsuite><testcase classname="tests.test_a" name="test_x" time="1"/></testsuite>')
    j2 = tmp_path / "j2.xml"
    j2.write_text(
        '<testsuite><testcase classname="tests.test_b" name="test_y[0x7fffabcdef01]" time="2"/></testsuite>'
    )
    durations = tmp_path / ".test_durations"
    durations.write_text(json.dumps({"tests/test_c.py::test_z": 3.0}))
    r1 = cli("timings", "collect", str(j1), "--store", "a.json", "--commit", "c1", cwd=tmp_path)
    r2 = cli("timings", "collect", str(j2), str(durations), "--store", "b.json", cwd=tmp_path)
    assert r1.code == 0 and r2.code == 0, r1.err + r2.err
    assert "volatile parametrize id" in r2.err
    again = cli("timings", "collect", str(j1), "--store", "a.json", "--commit", "c1", cwd=tmp_path)
    assert "already" in again.out
    merged = cli("timings", "merge", "a.json", "b.json", "--store", "m.json", cwd=tmp_path)
    assert merged.code == 0, merged.err
    data = json.loads((tmp_path / "m.json").read_text())
    assert sorted(data["tests"]) == [
        "tests/test_a.py::test_x",
        "tests/test_b.py::test_y[<address>]",
        "tests/test_c.py::test_z",
    ]
    missing = cli("timings", "merge", "nope.json", "--store", "m.json", cwd=tmp_path)
    assert missing.code == 2
