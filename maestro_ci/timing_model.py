"""The timing store (``.maestro/timings.json``): its models and the estimates derived from them.

Per test node id the store keeps the last k samples (batch, outcome, time), the
run/pass/fail/skip/flaky counts, the robust duration estimate (median of the
timed samples) with its spread (median absolute deviation), flaky evidence and
when it was last seen. Per module/class it keeps the setup cost of its
fixtures, and per module what collecting it costs (importing it and building
its tests); per store the fixed cost every shard pays (start-up, and any
collection the recorder could not put on a module).

Schema 2 added the collection cost (``groups[*].collect``); a schema-1 store
reads as one whose modules have no collection cost measured yet.
Other tools read ``tests[nodeid].runs`` and ``tests[nodeid].failed``: keep them.
"""

from __future__ import annotations

import statistics
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STORE_SCHEMA_VERSION = 2


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sample(_Model):
    """One observation of a test in one ingested run (batch)."""

    batch: str
    outcome: Literal["passed", "failed", "error", "skipped"]
    time: float | None = Field(default=None, ge=0)


class Evidence(_Model):
    """Why a test is called flaky."""

    kind: Literal["retry", "same-commit"] = Field(
        description="'retry': failed then passed within one run; 'same-commit': different outcomes "
        "on the same commit."
    )
    batch: str
    commit: str = ""
    outcomes: list[str] = Field(default_factory=list)


class TestTiming(_Model):
    __test__ = False  # not a pytest test class

    """Everything the store knows about one test."""

    runs: int = Field(default=0, ge=0)
    passed: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0, description="Failures and errors.")
    skipped: int = Field(default=0, ge=0)
    flaky: int = Field(default=0, ge=0, description="Runs with flaky evidence.")
    duration: float | None = Field(default=None, ge=0, description="Median of the timed samples (s).")
    spread: float = Field(default=0.0, ge=0, description="Median absolute deviation of those (s).")
    samples: list[Sample] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    last_seen: int = Field(default=0, ge=0, description="Store run counter when last seen.")
    last_commit: str = ""
    commit_outcomes: list[str] = Field(default_factory=list)


class GroupTiming(_Model):
    """What a module or class costs beyond its tests, paid once per shard that runs part of it."""

    setup: float = Field(default=0.0, ge=0, description="Setup of its module/class fixtures (s).")
    samples: list[float] = Field(default_factory=list, description="Recent setup samples (s).")
    collect: float = Field(
        default=0.0,
        ge=0,
        description="Modules: time to collect it (import and build its tests), median of the "
        "recent samples (s). Recorded by the pytest plugin; JUnit does not report it.",
    )
    collect_samples: list[float] = Field(default_factory=list, description="Recent collection samples (s).")
    last_seen: int = Field(default=0, ge=0)


class TimingStore(_Model):
    """``.maestro/timings.json``."""

    schema_version: int = STORE_SCHEMA_VERSION
    runs: int = Field(default=0, ge=0, description="Runs (batches) ingested so far.")
    batches: list[str] = Field(default_factory=list, description="Recent batch ids (bounded).")
    overhead: list[float] = Field(
        default_factory=list,
        description="Recent per-process fixed costs (s): start-up, and collection not "
        "measured per module (all of it for JUnit reports).",
    )
    tests: dict[str, TestTiming] = Field(default_factory=dict)
    groups: dict[str, GroupTiming] = Field(default_factory=dict)

    def fixed_cost(self) -> float | None:
        return round(statistics.median(self.overhead), 6) if self.overhead else None


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"timing-store": TimingStore}


def estimate(samples: list[Sample]) -> tuple[float | None, float]:
    """Median of the timed, non-skipped samples and their median absolute deviation."""
    times = [s.time for s in samples if s.time is not None and s.outcome != "skipped"]
    if not times:
        times = [s.time for s in samples if s.time is not None]
    if not times:
        return None, 0.0
    mid = statistics.median(times)
    mad = statistics.median(abs(t - mid) for t in times)
    return round(mid, 6), round(mad, 6)
