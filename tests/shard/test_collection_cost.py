"""What collecting a test file costs: recorded per module, stored, and charged to the shards that collect it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from maestro_ci.jobs.shard import plan
from maestro_ci.jobs.timings import Limits, ingest
from maestro_ci.sources.junit import Case, Report
from maestro_ci.sources.timing_store import load_store
from maestro_ci.timing_model import GroupTiming, TestTiming, TimingStore

BUSY = 0.3  # seconds the slow module spends being imported (a loop on the clock, not a sleep)
LIBRARY = 0.6  # seconds the library it imports first spends being imported


def _busy(seconds: float) -> str:
    return f"import time\n\n_end = time.perf_counter() + {seconds}\nwhile time.perf_counter() < _end:\n    pass\n"


SLOW_IMPORT = (
    "import slowlib\n"
    + _busy(BUSY)
    + """

class TestSlow:
    def test_one(self):
        assert slowlib.READY

    def test_two(self):
        pass
"""
)


def test_the_recorder_puts_collection_on_each_module_and_libraries_in_the_fixed_cost(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/slowlib.py").write_text(_busy(LIBRARY) + "READY = True\n")
    (tmp_path / "tests/test_slow_import.py").write_text(SLOW_IMPORT)
    (tmp_path / "tests/test_quick.py").write_text(
        "import slowlib\n\n\ndef test_quick():\n    assert slowlib.READY\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--maestro-store-durations", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    store = load_store(tmp_path / ".maestro/timings.json", missing_ok=False)
    slow = store.groups["tests/test_slow_import.py"]
    # its own import is its cost; the library it happened to import first is not (every shard
    # imports it, whichever of its files comes first)
    assert BUSY <= slow.collect < LIBRARY and slow.collect_samples == [slow.collect]
    assert store.groups["tests/test_slow_import.py::TestSlow"].collect == 0  # a class's is its module's
    assert store.groups["tests/test_quick.py"].collect < BUSY
    (overhead,) = store.overhead
    assert LIBRARY <= overhead <= wall - BUSY


def _report(collect: dict[str, float], nodeid: str = "tests/test_a.py::test_x") -> Report:
    return Report(path="run", cases=[Case(nodeid, "passed", 0.1, nodeid, [], [])], collect=collect)


def test_ingest_keeps_a_window_of_collection_samples_and_their_median() -> None:
    store = TimingStore()
    limits = Limits(window=3)
    for i, seconds in enumerate([1.0, 5.0, 2.0, 3.0]):
        store, _ = ingest(store, [_report({"tests/test_a.py": seconds})], f"b{i}", limits=limits)
    group = store.groups["tests/test_a.py"]
    assert group.collect_samples == [5.0, 2.0, 3.0] and group.collect == 3.0
    assert group.setup == 0.0 and group.samples == [] and group.last_seen == 4
    # a later run without collection data (JUnit) keeps what was measured
    store, _ = ingest(store, [_report({})], "junit")
    assert store.groups["tests/test_a.py"].collect == 3.0


def test_a_schema_1_store_reads_as_one_without_collection_costs(tmp_path: Path) -> None:
    old = {
        "schema_version": 1,
        "runs": 1,
        "batches": ["b"],
        "overhead": [1.5],
        "tests": {"t.py::test": {"runs": 1, "passed": 1, "duration": 0.2}},
        "groups": {"t.py": {"setup": 0.7, "samples": [0.7], "last_seen": 1}},
    }
    path = tmp_path / "timings.json"
    path.write_text(json.dumps(old))
    store = load_store(path)
    assert store.groups["t.py"].setup == 0.7 and store.groups["t.py"].collect == 0.0
    assert store.fixed_cost() == 1.5


def test_the_plan_charges_a_module_s_collection_to_each_shard_that_runs_part_of_it() -> None:
    tests = ["a.py::test_1", "a.py::test_2", "b.py::test_1"]
    store = TimingStore(
        overhead=[0.5],
        tests={t: TestTiming(runs=1, passed=1, duration=1.0) for t in tests},
        groups={"a.py": GroupTiming(collect=2.0, setup=0.25)},
    )
    by_file = plan(tests, store, 2, "file")
    assert [(s.tests, s.predicted) for s in by_file.shards] == [
        (["a.py::test_1", "a.py::test_2"], 0.5 + 2.0 + 2.25),
        (["b.py::test_1"], 0.5 + 1.0),
    ]
    assert by_file.total_work == 3.0 + 2.25
    # split over three shards, each half of a.py pays its import and its fixture again
    split = plan(tests, store, 3, "test")
    assert sorted(s.predicted for s in split.shards) == [0.5 + 1.0, 0.5 + 1.0 + 2.25, 0.5 + 1.0 + 2.25]
    assert split.alternatives == {"file": 4.75, "class": 4.75, "test": 3.75}
