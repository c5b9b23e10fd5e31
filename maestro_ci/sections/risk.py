"""``risk:`` section of ``.maestro.yml`` (owned by the risk job)."""

from __future__ import annotations

from pydantic import Field, field_validator

from maestro_ci.sections.base import Section

SIGNALS = (
    "lines_changed",
    "churn_30d",
    "files_touched",
    "owners_touched",
    "centrality",
    "coverage_drop",
    "complexity_delta",
    "static_alerts",
    "test_fail_rate",
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "lines_changed": 0.10,
    "churn_30d": 0.12,
    "files_touched": 0.08,
    "owners_touched": 0.08,
    "centrality": 0.18,
    "coverage_drop": 0.14,
    "complexity_delta": 0.12,
    "static_alerts": 0.10,
    "test_fail_rate": 0.08,
}

DEFAULT_CAPS: dict[str, float] = {
    "lines_changed": 800,
    "churn_30d": 2000,
    "files_touched": 25,
    "owners_touched": 6,
    "centrality": 1.0,
    "coverage_drop": 0.10,
    "complexity_delta": 1.0,
    "static_alerts": 10,
    "test_fail_rate": 1.0,
}


class RiskSection(Section):
    """Settings of the risk job: the default formula's weights and caps, the threshold."""

    weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
        description="Weight of each signal (keys: " + ", ".join(SIGNALS) + "). Missing keys keep "
        "their default; weights are rescaled to sum to 1 over the measured signals.",
    )
    caps: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_CAPS),
        description="The raw value at which a signal counts as fully risky (normalised = raw / cap, "
        "capped to [0, 1]). Missing keys keep their default.",
    )
    threshold: float = Field(
        default=0.70, ge=0, le=1, description="Score at or above which a reviewer is required."
    )
    enforce: bool = Field(
        default=False, description="Fail (exit 1) instead of warn when the score reaches the threshold."
    )
    churn_days: int = Field(default=30, ge=1, description="Window of the churn signal, in days.")
    model: str | None = Field(
        default=None,
        description="A calibrated model written by 'maestro-ci risk train' (path from the repo root); "
        "used when --model is not given.",
    )
    fix_keywords: list[str] = Field(
        default_factory=lambda: ["fix", "bug", "defect", "error", "fault", "crash", "regression", "patch"],
        description="Words in a commit message that mark a bug fix when mining history.",
    )

    @field_validator("weights", "caps")
    @classmethod
    def _known_signals(cls, value: dict[str, float]) -> dict[str, float]:
        from maestro_ci.errors import did_you_mean

        for name, number in value.items():
            if name not in SIGNALS:
                hint = did_you_mean(name, SIGNALS)
                known = ", ".join(SIGNALS)
                raise ValueError(f"unknown signal '{name}' {hint}; known: {known}".replace("  ", " "))
            if number < 0:
                raise ValueError(f"'{name}' must not be negative")
        return value
