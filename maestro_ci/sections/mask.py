"""``mask:`` — extra secret patterns and the replacement text."""

from __future__ import annotations

from pydantic import Field

from maestro_ci.sections.base import Section


class MaskSection(Section):
    patterns: list[str] = Field(
        default_factory=list,
        description="Extra regular expressions whose matches are masked in every output.",
    )
    replacement: str = Field(default="***MASKED***", description="Text that replaces a secret.")
