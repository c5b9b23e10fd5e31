"""``shard:`` section of ``.maestro.yml`` (owned by the shard job)."""

from __future__ import annotations

from maestro_ci.sections.base import Section


class ShardSection(Section):
    """Settings of the shard job."""
