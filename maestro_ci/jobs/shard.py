"""The shard job: split a test list into N groups that finish together.

Longest-processing-time first over the cost model of ``shard_cost``: units
(files, classes or tests) in decreasing cost, each placed on the shard where
it ends earliest *including* the setup of any fixture group that shard does
not run yet. ``--by test`` also plans by file and by class and keeps the
finest split only where the cost model says it pays. The plan is
deterministic and carries a digest runners can compare.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from maestro_ci.jobs.shard_cost import US, Estimates, Unit, build_units, estimate_tests, total_work
from maestro_ci.sources.nodeids import class_of, module_of
from maestro_ci.sources.plan_file import PLAN_SCHEMA_VERSION, digest_of
from maestro_ci.timing_model import TimingStore

GRANULARITY = ("file", "class", "test")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Shard(_Model):
    index: int = Field(ge=1)
    predicted: float = Field(description="Predicted wall time (s), fixed cost included; 0 when empty.")
    tests: list[str] = Field(default_factory=list)
    units: int = 0
    realised: float | None = None


class Plan(_Model):
    """A shard plan (``details.plan`` of the ``shard`` gate result)."""

    schema_version: int = PLAN_SCHEMA_VERSION
    shards: list[Shard]
    total: int
    by: str
    requested_by: str
    predicted_makespan: float
    lower_bound: float
    fixed_cost: float
    total_work: float
    tests: int
    estimated: int = Field(description="Tests without a stored duration (estimated).")
    useful: int = Field(description="Shards that run something.")
    alternatives: dict[str, float] = Field(default_factory=dict)
    digest: str = ""

    def shard(self, index: int) -> Shard:
        return self.shards[index - 1]


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"shard-plan": Plan}


@dataclass
class _Packed:
    loads: list[int]
    members: list[list[Unit]]

    @property
    def makespan(self) -> int:
        return max((load for load, m in zip(self.loads, self.members, strict=True) if m), default=0)


def pack(units: Sequence[Unit], n: int, setup: dict[str, int]) -> _Packed:
    """Greedy LPT with fixture-group setup paid per shard; ties go to the lowest index."""
    loads = [0] * n
    members: list[list[Unit]] = [[] for _ in range(n)]
    holding: dict[str, set[int]] = {}
    heap = [(0, i) for i in range(n)]
    for unit in units:
        while heap[0][0] != loads[heap[0][1]]:
            heapq.heappop(heap)  # stale entry
        if not unit.parents:  # no fixture group outside the unit: the least-loaded shard, lowest index
            best = heap[0][1]
            loads[best] += unit.cost
            members[best].append(unit)
            heapq.heapreplace(heap, (loads[best], best))
            continue
        candidates = {heap[0][1]}
        for group in unit.parents:
            candidates |= holding.get(group, set())
        best = min(
            candidates,
            key=lambda s: (
                loads[s] + unit.cost + sum(setup[g] for g in unit.parents if s not in holding.get(g, ())),
                s,
            ),
        )
        loads[best] += unit.cost + sum(setup[g] for g in unit.parents if best not in holding.get(g, ()))
        for group in unit.parents:
            holding.setdefault(group, set()).add(best)
        members[best].append(unit)
        heapq.heappush(heap, (loads[best], best))
    return _Packed(loads, members)


def _seconds(us: int) -> float:
    return round(us / US, 6)


def plan(
    tests: Sequence[str],
    store: TimingStore,
    n: int,
    by: str = "file",
    default_seconds: float = 1.0,
    fixed_cost: float | None = None,
) -> Plan:
    """The plan for ``n`` shards (see the module docstring)."""
    ordered = sorted(set(tests))
    est = estimate_tests(ordered, store, default_seconds, fixed_cost)
    tried = GRANULARITY[: GRANULARITY.index(by) + 1]
    packs = {g: pack(build_units(ordered, est, g), n, est.setup) for g in tried}
    chosen = min(tried, key=lambda g: (packs[g].makespan, tried.index(g)))
    return _to_plan(ordered, est, packs[chosen], n, chosen, by, {g: packs[g].makespan for g in tried})


def _to_plan(
    tests: list[str], est: Estimates, packed: _Packed, n: int, by: str, requested: str, alts: dict[str, int]
) -> Plan:
    shards = []
    for i in range(n):
        names = sorted(t for unit in packed.members[i] for t in unit.tests)
        busy = bool(names)
        shards.append(
            Shard(
                index=i + 1,
                predicted=_seconds(packed.loads[i] + est.fixed) if busy else 0.0,
                tests=names,
                units=len(packed.members[i]),
            )
        )
    work = total_work(tests, est)
    lower = est.fixed + max(-(-work // n), _heaviest_test(tests, est)) if tests else 0
    makespan = max((s.predicted for s in shards), default=0.0)
    body = Plan(
        shards=shards,
        total=n,
        by=by,
        requested_by=requested,
        predicted_makespan=makespan,
        lower_bound=_seconds(lower),
        fixed_cost=_seconds(est.fixed),
        total_work=_seconds(work),
        tests=len(tests),
        estimated=len(est.estimated),
        useful=sum(1 for s in shards if s.tests),
        alternatives={g: _seconds(v + est.fixed) for g, v in alts.items()},
    )
    return body.model_copy(update={"digest": plan_digest(body)})


def _heaviest_test(tests: list[str], est: Estimates) -> int:
    """The costliest test with the setup (and collection) of its groups, which its shard pays."""
    if not est.setup:
        return max(est.tests.values(), default=0)
    return max(
        est.tests[t] + est.setup.get(module_of(t), 0) + est.setup.get(class_of(t) or "", 0) for t in tests
    )


def plan_digest(body: Plan) -> str:
    """sha256 of the plan's canonical JSON (without realised times and the digest itself)."""
    return digest_of(body.model_dump(mode="json"))


def smallest_fitting(
    tests: Sequence[str],
    store: TimingStore,
    max_seconds: float,
    max_shards: int,
    by: str = "file",
    default_seconds: float = 1.0,
    fixed_cost: float | None = None,
) -> tuple[Plan, bool]:
    """The plan with the fewest shards whose predicted makespan fits; else the best one found."""
    best: Plan | None = None
    for n in range(1, max_shards + 1):
        candidate = plan(tests, store, n, by, default_seconds, fixed_cost)
        if candidate.predicted_makespan <= max_seconds:
            return candidate, True
        if best is None or candidate.predicted_makespan < best.predicted_makespan:
            best = candidate
        if candidate.useful < n:
            break  # more shards cannot help: some are already empty
    assert best is not None
    return best, False
