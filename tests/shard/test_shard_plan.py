"""The shard planner: balance, cost model, no empty shard, determinism across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maestro_ci.jobs.shard import plan, smallest_fitting
from maestro_ci.timing_model import GroupTiming, TestTiming, TimingStore

ROOT = Path(__file__).resolve().parents[2]


def store_of(
    durations: dict[str, float], setup: dict[str, float] | None = None, overhead: float = 0.0
) -> TimingStore:
    return TimingStore(
        tests={k: TestTiming(runs=1, passed=1, duration=v) for k, v in durations.items()},
        groups={k: GroupTiming(setup=v) for k, v in (setup or {}).items()},
        overhead=[overhead] if overhead else [],
    )


def test_every_test_in_exactly_one_shard_and_balanced() -> None:
    tests = {f"tests/test_{i}.py::test_x": float(1 + i % 7) for i in range(40)}
    p = plan(list(tests), store_of(tests), 4)
    placed = [t for s in p.shards for t in s.tests]
    assert sorted(placed) == sorted(tests)
    assert p.predicted_makespan <= p.lower_bound * 1.1
    assert p.useful == 4
    assert len(p.digest) == 64


def test_fixed_cost_is_paid_per_shard() -> None:
    tests = {"a.py::t": 10.0, "b.py::t": 10.0}
    p = plan(list(tests), store_of(tests, overhead=5.0), 2)
    assert [s.predicted for s in p.shards] == [15.0, 15.0]
    assert p.fixed_cost == 5.0
    assert plan(list(tests), store_of(tests), 2, fixed_cost=1.0).predicted_makespan == 11.0


def test_by_file_keeps_modules_together() -> None:
    tests = {f"tests/test_big.py::test_{i}": 1.0 for i in range(4)} | {"tests/test_small.py::test_a": 1.0}
    p = plan(list(tests), store_of(tests), 2, by="file")
    assert {t.split("::")[0] for t in p.shards[0].tests} == {"tests/test_big.py"}


def test_by_test_splits_only_when_it_pays() -> None:
    tests = {f"tests/test_big.py::test_{i}": 1.0 for i in range(4)} | {"tests/test_small.py::test_a": 1.0}
    cheap = plan(list(tests), store_of(tests), 2, by="test")
    assert cheap.by == "test" and cheap.predicted_makespan == 3.0
    two = {f"tests/test_{m}.py::test_{i}": 1.0 for m in "ab" for i in range(2)}
    setup = {"tests/test_a.py": 10.0, "tests/test_b.py": 10.0}
    costly = plan(list(two), store_of(two, setup=setup), 2, by="test")
    assert costly.by == "file"  # splitting a module would set its fixtures up twice
    assert costly.predicted_makespan == 12.0
    assert costly.alternatives["test"] >= costly.alternatives["file"]


def test_unknown_tests_get_the_folder_median_then_the_global_median() -> None:
    known = {"tests/a/test_1.py::t": 10.0, "tests/a/test_2.py::t": 20.0, "tests/b/test_3.py::t": 1.0}
    p = plan([*known, "tests/a/test_new.py::t", "other/test_x.py::t"], store_of(known), 1)
    assert p.estimated == 2
    assert p.total_work == pytest.approx(10 + 20 + 1 + 15 + 10)


def test_empty_store_uses_the_default() -> None:
    p = plan(["a.py::t", "b.py::t"], TimingStore(), 2, default_seconds=2.0)
    assert p.predicted_makespan == 2.0 and p.estimated == 2


def test_more_shards_than_units_leaves_empty_shards_said_so() -> None:
    p = plan(["a.py::t", "b.py::t"], TimingStore(), 5)
    assert p.useful == 2
    assert [bool(s.tests) for s in p.shards] == [True, True, False, False, False]


def test_plan_does_not_depend_on_input_order() -> None:
    tests = {f"t{i % 5}.py::test_{i}": float(i % 3 + 1) for i in range(30)}
    names = list(tests)
    assert plan(names, store_of(tests), 3) == plan(list(reversed(names)), store_of(tests), 3)


def test_max_minutes_picks_the_smallest_n() -> None:
    tests = {f"t{i}.py::x": 60.0 for i in range(10)}
    found, fits = smallest_fitting(list(tests), store_of(tests), 3 * 60, 64)
    assert fits and found.total == 4  # 10 minutes of work in 3-minute shards
    nope, fits = smallest_fitting(list(tests), store_of(tests), 30, 64)
    assert not fits and nope.predicted_makespan == 60.0


SCRIPT = """
import json, sys
from maestro_ci.jobs.shard import plan
from maestro_ci.timing_model import TimingStore
store = TimingStore.model_validate(json.load(open(sys.argv[1])))
tests = sorted(store.tests) + [f"tests/new_{i}/test_x.py::test_{j}" for i in range(5) for j in range(3)]
p = plan(tests, store, 7, by="test")
print(p.model_dump_json())
"""


def test_byte_identical_plan_across_hash_seeds(tmp_path: Path) -> None:
    tests = {
        f"tests/m{i % 9}/test_{i % 23}.py::Test{i % 3}::test_{i}[{i % 4}]": float(i % 5) / 3
        for i in range(300)
    }
    groups = {f"tests/m{i}/test_{i}.py": 0.5 for i in range(9)}
    path = tmp_path / "store.json"
    path.write_text(store_of(tests, groups, overhead=0.7).model_dump_json())
    outs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(path)], env=env, capture_output=True, text=True, check=True
        )
        outs.add(proc.stdout)
    assert len(outs) == 1
    assert json.loads(outs.pop())["digest"]
