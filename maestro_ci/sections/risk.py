"""``risk:`` section of ``.maestro.yml`` (owned by the risk job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class RiskSection(Section):
    """Settings of the risk job."""
