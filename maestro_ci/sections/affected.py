"""``selection:`` section of ``.maestro.yml`` (owned by the affected job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class AffectedSection(Section):
    """Settings of the affected job."""
