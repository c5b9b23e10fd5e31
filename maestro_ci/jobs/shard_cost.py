"""The shard cost model: what each test, fixture group and shard is predicted to cost.

All costs are integer microseconds so sums never depend on float order or
platform; every ordering has a total tie-break on the node id, so the plan
does not depend on hash order (``PYTHONHASHSEED``) or the order tests arrive in.

- a test costs its stored median duration; an unknown test costs the median of
  the known tests in the same folder, else the global median, else the default;
- a module or class fixture group costs its stored setup time once per shard
  that runs any of its tests (splitting a group pays it again);
- a module also costs its stored collection time (import and building its
  tests) once per shard that runs any of its tests: a shard run from the plan
  collects only its own files (``--shard-plan``, or the files named by
  ``--format pytest-args``);
- every shard that runs anything pays the fixed cost (start-up, and collection
  not measured per module).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from maestro_ci.sources.nodeids import class_of, group_of, module_of, stabilise
from maestro_ci.timing_model import TimingStore

US = 1_000_000


def to_us(seconds: float) -> int:
    return round(seconds * US)


@dataclass(frozen=True)
class Estimates:
    """Per-test costs, per-group costs (setup, and a module's collection) and the fixed cost, in µs;
    which tests were guessed."""

    tests: dict[str, int]
    setup: dict[str, int]
    estimated: list[str]
    fixed: int


@dataclass
class Unit:
    """What the planner places: one file, class or test, with the groups it belongs to."""

    key: str
    cost: int
    tests: list[str] = field(default_factory=list)
    parents: tuple[str, ...] = ()


def _folder(nodeid: str) -> str:
    module = module_of(nodeid)
    return module.rsplit("/", 1)[0] if "/" in module else ""


def estimate_tests(
    tests: Sequence[str], store: TimingStore, default_seconds: float, fixed_cost: float | None
) -> Estimates:
    known: dict[str, int] = {}
    by_folder: dict[str, list[int]] = defaultdict(list)
    for nodeid, record in store.tests.items():
        if record.duration is not None:
            by_folder[_folder(nodeid)].append(to_us(record.duration))
    all_known = sorted(v for values in by_folder.values() for v in values)
    global_median = round(statistics.median(all_known)) if all_known else to_us(default_seconds)
    folder_median = {k: round(statistics.median(sorted(v))) for k, v in by_folder.items()}
    estimated: list[str] = []
    for nodeid in tests:
        found = store.tests.get(nodeid) or store.tests.get(stabilise(nodeid)[0])
        if found is not None and found.duration is not None:
            known[nodeid] = to_us(found.duration)
        else:
            known[nodeid] = folder_median.get(_folder(nodeid), global_median)
            estimated.append(nodeid)
    groups = {module_of(t) for t in tests} | {c for t in tests if (c := class_of(t))}
    setup = {
        g: to_us(store.groups[g].setup) + to_us(store.groups[g].collect)
        for g in sorted(groups)
        if g in store.groups
    }
    fixed = fixed_cost if fixed_cost is not None else (store.fixed_cost() or 0.0)
    return Estimates(known, {k: v for k, v in setup.items() if v > 0}, estimated, to_us(fixed))


def build_units(tests: Sequence[str], est: Estimates, by: str) -> list[Unit]:
    """Units at granularity ``by``; setup of groups inside a unit is part of its cost."""
    units: dict[str, Unit] = {}
    for nodeid in tests:
        key = group_of(nodeid, by)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Unit(key, 0)
        unit.tests.append(nodeid)
        unit.cost += est.tests[nodeid]
    if not est.setup:  # no fixture group costs anything: nothing to pay once or per shard
        return sorted(units.values(), key=lambda u: (-u.cost, u.key))
    for unit in units.values():
        inner: set[str] = set()
        outer: set[str] = set()
        for nodeid in unit.tests:
            for group in (module_of(nodeid), class_of(nodeid)):
                if group is None or group not in est.setup:
                    continue
                # a group wholly inside this unit is paid once, with the unit
                if by == "file" or (by == "class" and group == unit.key and "::" in group):
                    inner.add(group)
                else:
                    outer.add(group)
        unit.cost += sum(est.setup[g] for g in inner)
        unit.parents = tuple(sorted(outer))
    return sorted(units.values(), key=lambda u: (-u.cost, u.key))


def total_work(tests: Sequence[str], est: Estimates) -> int:
    """All test time plus every group's setup (and every module's collection) once: the work
    no plan can avoid."""
    groups = {g for t in tests for g in (module_of(t), class_of(t)) if g in est.setup}
    return sum(est.tests[t] for t in tests) + sum(est.setup[g] for g in groups)
