"""The policy rules file (``policy/rules.yaml``): its model and its loader.

The file keeps the shape teams already write (``allow``/``deny`` path rules,
``deps.deny`` licence patterns, ``models`` budgets) and adds ``owners``,
``content``, ``secrets`` and ``size`` rules. Every rule has an ``id`` (derived
when not given), a ``reason``, a ``fix`` and a ``mode``: ``observe`` (recorded
only), ``warn`` or ``enforce`` (blocks). Loading compiles every glob and regex
once, so a bad one is reported with the rule that holds it.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic.json_schema import SkipJsonSchema

from maestro_ci.errors import InputError

if TYPE_CHECKING:
    from maestro_ci.jobs.policy_compile import CompiledPolicy

RULES_SCHEMA_VERSION = 1
Action = Literal["read", "write", "add", "modify", "delete", "rename"]


RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class Mode(StrEnum):
    OBSERVE = "observe"
    WARN = "warn"
    ENFORCE = "enforce"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Rule(_Model):
    id: RuleId | SkipJsonSchema[None] = Field(default=None, description="Stable rule id.")
    reason: str | SkipJsonSchema[None] = Field(
        default=None, description="Why the rule exists, shown with every finding."
    )
    fix: str | SkipJsonSchema[None] = Field(
        default=None, description="What to do when the rule finds something."
    )
    mode: Mode | SkipJsonSchema[None] = Field(
        default=None, description="observe, warn or enforce (default: defaults.mode)."
    )


class PathRule(_Rule):
    path: str | list[str] = Field(description="gitignore-style glob(s), e.g. 'infra/**'.")
    actions: list[Action] = Field(
        default_factory=lambda: list[Action](["write"]),
        description="Actions the rule covers; 'write' = any change.",
    )

    @property
    def patterns(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)


class OwnersRule(_Rule):
    path: str | list[str] = Field(default="**", description="Changed files this rule looks at.")
    require_owner: bool = Field(default=False, description="Every changed file must have a code owner.")
    max_owners: int | None = Field(default=None, ge=1, description="At most this many owner groups touched.")
    review_by: list[str] = Field(
        default_factory=list, description="Flag changes to files owned by these owners (review required)."
    )


class DepRule(_Rule):
    pattern: str | SkipJsonSchema[None] = Field(
        default=None, description="Licence: SPDX id, glob ('GPL-*') or '/regex/flags' ('/.*GPL.*/i')."
    )
    package: str | SkipJsonSchema[None] = Field(default=None, description="A package name (deny only).")


class PinnedRule(_Rule):
    files: list[str] = Field(
        default_factory=lambda: ["requirements*.txt", "requirements/*.txt"],
        description="Requirement files whose entries must be pinned with '=='.",
    )


class DepsRules(_Model):
    deny: list[DepRule] = Field(default_factory=list)
    allow: list[DepRule] = Field(
        default_factory=list, description="When set, every licence expression must be satisfiable by these."
    )
    unknown: Mode | SkipJsonSchema[None] = Field(
        default=None,
        description="Mode for a package whose licence is unknown (default: policy.unknown_licence).",
    )
    pinned: PinnedRule | SkipJsonSchema[None] = None
    when: Literal["changed", "always"] = Field(
        default="changed", description="Check installed packages only when a dependency file changed."
    )


class BudgetRules(_Rule):
    max_usd_per_pr: float | None = Field(default=None, ge=0)
    max_prompt_tokens: int | None = Field(default=None, ge=0)
    max_calls: int | None = Field(default=None, ge=0)


class ContentRule(_Rule):
    path: str | list[str] = Field(default="**", description="Files the regex is searched in.")
    regex: str = Field(description="Python regex forbidden on added lines.")


class SecretsRule(_Rule):
    entropy: bool = Field(default=True, description="Also flag generic high-entropy strings.")
    baseline: str | SkipJsonSchema[None] = Field(
        default=None, description="Baseline file of accepted findings."
    )


class SizeRule(_Rule):
    max_file_bytes: int | None = Field(default=None, ge=1, description="Largest added or modified file.")
    max_lines_changed: int | None = Field(default=None, ge=1, description="Total lines added + deleted.")


class Defaults(_Model):
    mode: Mode = Field(default=Mode.ENFORCE, description="Mode of rules that name none.")


class PolicyRules(_Model):
    """A policy rules file."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="maestro-ci policy rules")

    schema_version: int = Field(default=RULES_SCHEMA_VERSION, ge=1, description="Format version.")
    defaults: Defaults = Field(default_factory=Defaults)
    allow: list[PathRule] = Field(default_factory=list, description="Exceptions to deny rules.")
    deny: list[PathRule] = Field(default_factory=list)
    owners: list[OwnersRule] = Field(default_factory=list)
    deps: DepsRules = Field(default_factory=DepsRules)
    models: BudgetRules | SkipJsonSchema[None] = None
    content: list[ContentRule] = Field(default_factory=list)
    secrets: SecretsRule | SkipJsonSchema[None] = None
    size: SizeRule | SkipJsonSchema[None] = None


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"policy-rules": PolicyRules}


def licence_matcher(pattern: str) -> re.Pattern[str]:
    """``/regex/flags`` as a regex; otherwise an SPDX id or a ``*`` glob, matched whole, any case."""
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.rfind("/") > 0:
        end = pattern.rfind("/")
        body, flags = pattern[1:end], pattern[end + 1 :]
        if set(flags) - {"i"}:
            raise ValueError(f"unsupported regex flag(s) '{flags}' (only 'i')")
        return re.compile(body, re.IGNORECASE if "i" in flags else 0)
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$", re.IGNORECASE)


def load_rules(path: Path) -> PolicyRules:
    """Read and fully validate a rules file: schema, future versions, globs and regexes."""
    rules = load_policy(path).source
    assert rules is not None
    return rules


def load_policy(path: Path) -> CompiledPolicy:
    """Read, validate and compile a rules file (what the policy command runs)."""
    from maestro_ci.sources.yamlfile import load_document, validate_document

    doc = load_document(path, "policy rules file")
    data = doc.data
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > RULES_SCHEMA_VERSION:
        raise InputError(
            f"rules file has schema_version {version}, this maestro-ci reads up to {RULES_SCHEMA_VERSION}",
            file=str(path),
            place=f"line {doc.line_of(('schema_version',)) or 1}",
            fix="upgrade maestro-ci, or write the file in the older format",
        )
    try:  # fast path: a valid file needs no JSON Schema pass (and no jsonschema import)
        rules = PolicyRules.model_validate_json(json.dumps(data), strict=True)
    except (ValidationError, TypeError, ValueError):
        rules = validate_document(doc, PolicyRules)  # raises with file, line and JSON path
    from maestro_ci.jobs.policy_compile import compile_rules

    return compile_rules(rules, str(path), doc.line_of)
