"""``health:`` section of ``.maestro.yml`` (owned by the health job)."""

from __future__ import annotations

from pydantic import Field

from maestro_ci.jobs.durations import Duration
from maestro_ci.sections.base import Section


class HealthSection(Section):
    """Defaults of the health gate; a gate file's ``analysis:`` and each metric override them."""

    interval: Duration = Field(default=30.0, gt=0, description="Time between measurements of a metric.")
    count: int = Field(default=1, ge=1, description="Measurements per metric.")
    initial_delay: Duration = Field(default=0.0, ge=0, description="Wait before the first one.")
    failure_limit: int = Field(default=0, ge=0, description="Failed measurements a metric tolerates.")
    inconclusive_limit: int = Field(
        default=0, ge=0, description="Inconclusive measurements a metric tolerates."
    )
    consecutive_error_limit: int = Field(
        default=4, ge=0, description="Consecutive errors (after retries) a metric tolerates."
    )
    consecutive_success_limit: int = Field(
        default=0, ge=0, description="Stop a metric early after this many successes in a row (0: off)."
    )
    request_timeout: Duration = Field(default=10.0, gt=0, description="Time a source may take to answer.")
    retries: int = Field(
        default=2, ge=0, le=10, description="Retries of an unreachable source per measurement."
    )
    retry_backoff: Duration = Field(default=1.0, ge=0, description="First retry delay ; doubles each time.")
    retry_backoff_max: Duration = Field(default=30.0, ge=0, description="Longest retry delay .")
    timeout: Duration | None = Field(
        default=None, gt=0, description="Deadline of a whole analysis  (none: count x interval)."
    )
