"""Eval scenarios: the frozen model of one YAML file, and the loader that validates it.

``load_scenario(path)`` is what ``maestro-ci validate`` calls for files under
``evals/``; ``load_suite(folder)`` loads every scenario and rejects duplicate ids.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from maestro_ci.jobs.evals_check_models import (
    CATEGORIES,
    CHECK_TYPES,
    Check,
    Requirement,
    Selectors,
)

SCHEMA_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*@v[0-9]+$"

# Requirement sentences (normalised: lower case, no articles or punctuation) -> predicate.
SENTENCES: dict[str, str] = {
    "adds test that reproduces prior failure": "adds_regression_test",
    "adds regression test": "adds_regression_test",
    "adds test that fails before and passes after": "adds_regression_test",
    "does not change public api": "no_public_api_change",
    "no public api change": "no_public_api_change",
    "keeps public api": "no_public_api_change",
    "updates changelog": "changelog_updated",
    "changelog updated": "changelog_updated",
}
PREDICATES = (
    "adds_regression_test",
    "no_public_api_change",
    "changelog_updated",
    "touches_only",
    "docs_updated_for",
)
BARE_PREDICATES = ("adds_regression_test", "no_public_api_change", "changelog_updated")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fixture(_Strict):
    """Inputs of a scenario; several fixtures are merged in order (later keys win)."""

    failing_tests: Selectors | None = Field(
        default=None, description="Tests that fail on the base (fail_to_pass)."
    )
    passing_tests: Selectors | None = Field(
        default=None, description="Tests that must keep passing (pass_to_pass)."
    )
    context_files: list[str] = Field(
        default_factory=list, description="Files the prompt is given (recorded)."
    )
    patch: str | None = Field(default=None, description="Patch file for `patch_applies`.")
    junit: Selectors | None = Field(default=None, description="JUnit files (globs) of the head.")
    base_junit: Selectors | None = Field(
        default=None, description="JUnit files of the new tests run on the base."
    )
    coverage_data: str | None = Field(default=None, description="coverage.py data file for `coverage_min`.")
    base: str | None = Field(default=None, description="Base ref overriding --base.")
    head: str | None = Field(default=None, description="Head ref overriding --head.")


class Variant(_Strict):
    """A perturbed input: the same checks run with these fixtures and environment on top."""

    name: str = Field(min_length=1)
    fixtures: list[Fixture] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict, description="Variables set for `command` checks.")


class Scenario(_Strict):
    """One eval scenario (``evals/*.yml``)."""

    id: str = Field(pattern=ID_PATTERN, description="`name@vN`, unique in the suite.")
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    prompt: str | None = Field(default=None, description="Which agent prompt it exercises.")
    fixtures: list[Fixture] = Field(default_factory=list)
    checks: list[Check] = Field(min_length=1)
    scoring: dict[str, float] = Field(
        default_factory=dict, description="Weights by check id, check type or category (exact, tests, risk)."
    )
    threshold: float | None = Field(default=None, ge=0, le=1, description="Default: the suite threshold.")
    required: bool = Field(default=False, description="The gate fails when this scenario fails.")
    repeat: int = Field(
        default=1, ge=1, le=100, description="Runs of the checks (for non-deterministic ones)."
    )
    pass_rate: float = Field(default=1.0, ge=0, le=1, description="Share of the runs that must pass.")
    variants: list[Variant] = Field(default_factory=list)
    holdout: bool = Field(default=False, description="Shown separately; not in the suite score.")
    timeout: float | None = Field(default=None, gt=0, description="Default timeout of its `command` checks.")


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"eval-scenario": Scenario}


def normalise(sentence: str) -> str:
    words = re.sub(r"[^a-z0-9 ]+", " ", sentence.lower()).split()
    return " ".join(w for w in words if w not in ("a", "an", "the"))


def predicate_of(item: str | Requirement) -> tuple[str, Any]:
    """``(predicate, argument)`` of one requirement; raises ``KeyError`` for an unknown sentence."""
    if isinstance(item, Requirement):
        for name in PREDICATES:
            value = getattr(item, name)
            if value is not None:
                return name, value
        raise KeyError("empty requirement")
    if item in BARE_PREDICATES:
        return item, True
    return SENTENCES[normalise(item)], True


def check_weights(scenario: Scenario) -> list[float]:
    """The weight of each check: its own, else scoring by id, type, category (shared)."""
    if not scenario.scoring:
        return [c.weight if c.weight is not None else 1.0 for c in scenario.checks]
    categories: list[str] = [c.category or CHECK_TYPES[c.type] for c in scenario.checks]
    per_type = {t: sum(1 for c in scenario.checks if c.type == t) for t in CHECK_TYPES}
    per_cat = {k: categories.count(k) for k in CATEGORIES}
    weights = []
    for check, cat in zip(scenario.checks, categories, strict=True):
        if check.weight is not None:
            weights.append(check.weight)
        elif check.id and check.id in scenario.scoring:
            weights.append(scenario.scoring[check.id])
        elif check.type in scenario.scoring:
            weights.append(scenario.scoring[check.type] / per_type[check.type])
        elif cat in scenario.scoring:
            weights.append(scenario.scoring[cat] / per_cat[cat])
        else:
            weights.append(0.0)
    return weights


def load_scenario(path: Path) -> Scenario:
    """Read and fully validate one scenario file (``maestro-ci validate`` calls this)."""
    from maestro_ci.jobs.evals_loader import load_scenario as load

    return load(path)


def load_suite(folder: Path) -> list[tuple[Path, Scenario]]:
    """Every scenario under ``folder``, sorted; duplicate ids are an error naming both files."""
    from maestro_ci.jobs.evals_loader import load_suite as load

    return load(folder)
