"""``shard:`` section of ``.maestro.yml`` (owned by the shard job)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from maestro_ci.sections.base import Section


class ShardSection(Section):
    """Settings of the shard planner (``maestro-ci shard``, ``pytest --shard K/N``)."""

    by: Literal["file", "class", "test"] = Field(
        default="file",
        description="Planning unit: 'file' keeps modules together, 'class' keeps classes together, "
        "'test' splits further where the cost model says it pays.",
    )
    fixed_cost_seconds: float | None = Field(
        default=None,
        ge=0,
        description="Fixed cost every shard pays (start-up, and collection not measured per module). "
        "Default: measured from the runs in the timing store.",
    )
    default_test_seconds: float = Field(
        default=1.0, gt=0, description="Duration assumed for every test when the store knows none."
    )
    max_shards: int = Field(default=64, ge=1, le=1024, description="Upper limit for --max-minutes.")
    skew_warn: float = Field(
        default=1.25,
        ge=1,
        description="Warn when the predicted makespan exceeds the lower bound by this factor.",
    )
