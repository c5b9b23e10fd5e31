"""``policy:`` section of ``.maestro.yml`` (owned by the policy job)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from maestro_ci.sections.base import Section

ModeName = Literal["observe", "warn", "enforce"]


class PolicySection(Section):
    """Settings of the policy job."""

    rules: str = Field(
        default="policy/rules.yaml", description="Rules file, relative to the repository root."
    )
    usage_file: str = Field(
        default=".maestro/usage.jsonl",
        description="Model usage records (JSON or JSONL) for budget rules; a missing file means no usage.",
    )
    missing_codeowners: ModeName = Field(
        default="warn",
        description="What owner rules do when no CODEOWNERS file exists: observe, warn or enforce (deny).",
    )
    unknown_licence: ModeName = Field(
        default="warn",
        description="Mode for a package whose licence is unknown, unless the rules file sets deps.unknown.",
    )
    override_label_prefix: str = Field(
        default="maestro-override:",
        description="A pull-request label '<prefix><rule-id>' lifts that rule; the justification is a "
        "line 'maestro-override: rule-id: why' in the pull request's description.",
    )
    secrets_baseline: str = Field(
        default=".maestro-secrets-baseline.json",
        description="Baseline of accepted secret findings (used by 'secrets scan' and the secrets rule "
        "when the file exists).",
    )
    sarif: str | None = Field(default=None, description="Also write SARIF 2.1.0 to this file.")
