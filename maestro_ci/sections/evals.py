"""``evals:`` section of ``.maestro.yml`` (owned by the evals job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class EvalsSection(Section):
    """Settings of the evals job."""
