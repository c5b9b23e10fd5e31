"""The check types of an eval scenario (one frozen model per ``type``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["exact", "tests", "risk"]
Selectors = str | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _Check(_Strict):
    id: str | None = Field(default=None, description="Name of this check (to weigh it in `scoring`).")
    description: str = ""
    weight: float | None = Field(default=None, ge=0, description="This check's own weight.")
    category: Category | None = Field(default=None, description="Category it counts towards in `scoring`.")


class PatchApplies(_Check):
    type: Literal["patch_applies"]
    patch: str | None = Field(
        default=None, description="Patch file; default the fixture's `patch`, else the change base..head."
    )
    three_way: bool = Field(default=True, description="Try `git apply --3way` when the plain apply fails.")


class TestsPass(_Check):
    type: Literal["tests_pass"]
    fail_to_pass: Selectors | None = Field(
        default=None,
        description="Tests that must now pass (node ids or globs); default the fixtures' failing_tests.",
    )
    pass_to_pass: Selectors | None = Field(
        default=None,
        description="Tests that must still pass (passed or skipped); default the fixtures' "
        "passing_tests, else every other test in the results.",
    )
    junit: Selectors | None = Field(default=None, description="JUnit files (globs) overriding --junit.")
    partial_credit: bool = Field(default=False, description="Score the fraction of tests that met the rule.")


class RiskScoreMax(_Check):
    type: Literal["risk_score_max"]
    max: float = Field(ge=0, le=1, description="Highest acceptable risk score.")


class CoverageMin(_Check):
    type: Literal["coverage_min"]
    min: float = Field(ge=0, le=1, description="Lowest acceptable changed-line coverage (0..1).")


class PolicyClean(_Check):
    type: Literal["policy_clean"]
    allow_warn: bool = Field(default=True, description="A policy result of `warn` still counts as clean.")


class Requirement(_Strict):
    """A predicate with arguments, e.g. ``{touches_only: ['src/**']}``."""

    adds_regression_test: bool | None = None
    no_public_api_change: bool | None = None
    changelog_updated: bool | None = None
    touches_only: list[str] | None = None
    docs_updated_for: list[str] | None = None


class StructuredRequirements(_Check):
    type: Literal["structured_requirements"]
    require: list[str | Requirement] = Field(
        min_length=1, description="Sentences or predicates (see docs/evals.md for the list)."
    )
    partial_credit: bool = Field(default=False, description="Score the fraction of requirements met.")


class Assertion(_Strict):
    """One assertion on a command's output; exactly one key; `not-` negates."""

    contains: str | None = None
    not_contains: str | None = Field(default=None, alias="not-contains")
    regex: str | None = None
    not_regex: str | None = Field(default=None, alias="not-regex")
    equals: str | None = None
    not_equals: str | None = Field(default=None, alias="not-equals")
    json_schema: dict[str, Any] | str | None = None
    not_json_schema: dict[str, Any] | str | None = Field(default=None, alias="not-json_schema")


class Command(_Check):
    type: Literal["command"]
    run: str = Field(min_length=1, description="Shell command.")
    cwd: str = Field(default=".", description="Working directory, relative to the repo root.")
    timeout: float | None = Field(default=None, gt=0, description="Seconds before it is killed.")
    env: dict[str, str] = Field(default_factory=dict, description="Variables set for the command.")
    env_allow: list[str] = Field(default_factory=list, description="More variables to inherit.")
    exit_code: int = Field(default=0, description="Expected exit status.")
    stream: Literal["stdout", "stderr", "both"] = "stdout"
    expect: list[Assertion] = Field(default_factory=list, description="Assertions on the output.")


class JsonSchemaCheck(_Check):
    type: Literal["json_schema"]
    file: str = Field(description="JSON or YAML file to validate (relative to the repo root).")
    schema_: dict[str, Any] | str = Field(alias="schema", description="Schema file path or inline schema.")


Check = Annotated[
    PatchApplies
    | TestsPass
    | RiskScoreMax
    | CoverageMin
    | PolicyClean
    | StructuredRequirements
    | Command
    | JsonSchemaCheck,
    Field(discriminator="type"),
]

CHECK_TYPES: dict[str, Category] = {
    "patch_applies": "exact",
    "structured_requirements": "exact",
    "command": "exact",
    "json_schema": "exact",
    "tests_pass": "tests",
    "coverage_min": "tests",
    "risk_score_max": "risk",
    "policy_clean": "risk",
}
CATEGORIES: tuple[str, ...] = ("exact", "tests", "risk")
MODELS: dict[str, type[BaseModel]] = {
    "patch_applies": PatchApplies,
    "tests_pass": TestsPass,
    "risk_score_max": RiskScoreMax,
    "coverage_min": CoverageMin,
    "policy_clean": PolicyClean,
    "structured_requirements": StructuredRequirements,
    "command": Command,
    "json_schema": JsonSchemaCheck,
}
