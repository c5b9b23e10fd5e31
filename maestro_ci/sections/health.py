"""``health:`` section of ``.maestro.yml`` (owned by the health job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class HealthSection(Section):
    """Settings of the health job."""
