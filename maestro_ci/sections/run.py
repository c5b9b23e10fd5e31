"""``run:`` — where run records go."""

from __future__ import annotations

from pydantic import Field

from maestro_ci.sections.base import Section


class RunSection(Section):
    dir: str = Field(
        default=".maestro/runs",
        description="Folder of run records, relative to the repository root.",
    )
    keep: int = Field(default=50, ge=1, description="How many run folders to keep; older ones are pruned.")
