"""``timings:`` section of ``.maestro.yml`` (owned by the timings job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class TimingsSection(Section):
    """Settings of the timings job."""
