"""``timings:`` section of ``.maestro.yml`` (owned by the timings job)."""

from __future__ import annotations

from pydantic import Field

from maestro_ci.sections.base import Section


class TimingsSection(Section):
    """Settings of the timing store (``maestro-ci timings``, ``maestro-ci flaky``)."""

    store: str = Field(
        default=".maestro/timings.json",
        description="Path of the timing store, relative to the repository root. Carry it between CI "
        "runs with actions/cache or an artifact.",
    )
    window: int = Field(
        default=10, ge=1, le=1000, description="Runs kept per test; its duration is their median."
    )
    drop_after_runs: int = Field(
        default=50, ge=1, description="Drop a test from the store when it was not seen for this many runs."
    )
    max_evidence: int = Field(default=5, ge=1, le=100, description="Flaky evidence entries kept per test.")
    flaky_min_runs: int = Field(
        default=3, ge=1, description="`maestro-ci flaky` ignores tests with fewer runs than this."
    )
    flaky_fail_rate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="When set, `maestro-ci flaky` fails (exit 1) if the overall flake rate is above it; "
        "otherwise flaky tests only warn.",
    )
