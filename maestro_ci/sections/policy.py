"""``policy:`` section of ``.maestro.yml`` (owned by the policy job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class PolicySection(Section):
    """Settings of the policy job."""
