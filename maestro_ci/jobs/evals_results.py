"""Results of an eval run: per check, per scenario, and the suite (``schemas/eval-results.schema.json``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
CheckStatus = Literal["pass", "fail", "error"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckResult(_Frozen):
    """One check of one run: a score in [0, 1] and what it found."""

    name: str = Field(description="The check's id, or its type and position.")
    type: str
    status: CheckStatus
    score: float = Field(ge=0, le=1)
    weight: float = Field(ge=0, default=1.0)
    message: str = Field(description="What the check found, in plain words.")
    details: dict[str, Any] = Field(default_factory=dict)


class VariantResult(_Frozen):
    name: str
    score: float = Field(ge=0, le=1)
    failing: list[str] = Field(default_factory=list, description="Messages of the checks that failed.")


class ScenarioResult(_Frozen):
    """One scenario: its weighted score against its threshold."""

    id: str
    file: str
    status: Literal["pass", "fail", "error"]
    score: float = Field(ge=0, le=1)
    threshold: float = Field(ge=0, le=1)
    required: bool = False
    holdout: bool = False
    prompt: str | None = None
    tags: list[str] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list, description="Checks of the first run.")
    runs: int = 1
    runs_passed: int = 1
    pass_rate: float = Field(ge=0, le=1, default=1.0, description="Share of runs that passed.")
    required_pass_rate: float = Field(ge=0, le=1, default=1.0)
    variants: list[VariantResult] = Field(default_factory=list)
    robustness_delta: float | None = Field(default=None, description="Largest drop from score to a variant.")


class Regression(_Frozen):
    id: str
    baseline: float
    score: float
    delta: float


class EvalReport(_Frozen):
    """The whole run; the `evals` gate result carries it in ``details.report``."""

    schema_version: int = SCHEMA_VERSION
    threshold: float
    suite_score: float | None = Field(description="Mean score of the non-holdout scenarios.")
    holdout_score: float | None = None
    generalisation_gap: float | None = Field(default=None, description="Suite score minus holdout score.")
    scenarios: list[ScenarioResult] = Field(default_factory=list)
    baseline_file: str | None = None
    regressions: list[Regression] = Field(default_factory=list)
    new: list[str] = Field(default_factory=list, description="Scenarios not in the baseline.")
    removed: list[str] = Field(default_factory=list, description="Baseline scenarios not run now.")
    robustness_bound: float = 0.05
    allowed_regression: float = 0.02


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"eval-results": EvalReport}
