"""``evals:`` section of ``.maestro.yml`` (owned by the evals job)."""

from __future__ import annotations

from pydantic import Field

from maestro_ci.sections.base import Section

DEFAULT_ENV_ALLOW = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT"]


class EvalsSection(Section):
    """Settings of the evals job (scenario scoring and the eval gate)."""

    dir: str = Field(default="evals", description="Folder of scenario YAML files, relative to the repo root.")
    threshold: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="Suite threshold: the mean score of non-holdout scenarios must reach it. "
        "Also the threshold of a scenario that sets none.",
    )
    allowed_regression: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="With --baseline: a scenario whose score drops by more than this fails the gate.",
    )
    robustness_bound: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Largest allowed score drop between a scenario and any of its variants.",
    )
    min_scenarios_per_prompt: int = Field(
        default=3, ge=0, description="`eval coverage` flags prompts with fewer scenarios than this."
    )
    prompts: list[str] = Field(
        default_factory=list,
        description="Prompts that must be covered (a prompt listed here with no scenario is flagged).",
    )
    jobs: int = Field(default=4, ge=1, le=256, description="Scenarios run in parallel (flag --jobs).")
    command_timeout: float = Field(
        default=120,
        gt=0,
        description="Seconds a `command` check may run when neither it nor its scenario sets one.",
    )
    env_allow: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ENV_ALLOW),
        description="Environment variables a `command` check inherits (plus those it names in `env`).",
    )
    junit: list[str] = Field(
        default_factory=list,
        description="JUnit XML files (globs) of the head, used by `tests_pass` when --junit is not given.",
    )
    base_junit: list[str] = Field(
        default_factory=list,
        description="JUnit XML files (globs) of the new tests run against the base, for `adds_regression_test`.",
    )
    gate_commands: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "risk": ["maestro-ci", "risk"],
            "policy": ["maestro-ci", "policy"],
            "coverage": ["maestro-ci", "coverage"],
        },
        description="How to compute a gate result that is not in the run folder: argv run with "
        "`--format json --no-record --base B --head H` appended; its JSON output is a gate result.",
    )
