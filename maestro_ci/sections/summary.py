"""``summary:`` section of ``.maestro.yml`` (owned by the summary job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class SummarySection(Section):
    """Settings of the summary job."""
