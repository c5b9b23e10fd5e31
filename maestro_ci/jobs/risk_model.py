"""The calibrated risk model: its JSON format, loading it, and scoring with it.

Scoring is plain arithmetic (log1p, standardise, dot product, logistic), so a
model needs no numerical library at review time; only training uses
scikit-learn (``jobs/risk_train.py``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from maestro_ci.errors import InputError
from maestro_ci.sources.store import refuse_newer

MODEL_SCHEMA_VERSION = 1


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CalibrationBin(Frozen):
    low: float = Field(description="Lowest predicted probability in the bin.")
    high: float
    predicted: float = Field(description="Mean predicted probability.")
    observed: float = Field(description="Share of bug-introducing commits.")
    count: int = Field(ge=0)


class TrainingWindow(Frozen):
    first: str = Field(description="Date (UTC) of the oldest commit used.")
    last: str
    commits: int = Field(ge=0, description="Commits with features.")
    labelled_buggy: int = Field(ge=0, description="Commits blamed by a later fix.")
    fixes: int = Field(ge=0, description="Fix commits found.")
    head: str = Field(description="Commit the history was mined from.")


class ModelMetrics(Frozen):
    auc: float | None = Field(description="ROC AUC on the newest commits (time-ordered hold-out).")
    brier: float | None = Field(description="Brier score on the hold-out.")
    auc_lines_added: float | None = Field(
        default=None, description="ROC AUC on the hold-out of ranking by lines added alone (the baseline)."
    )
    train_commits: int
    test_commits: int


class RiskModel(Frozen):
    """``.maestro/risk-model.json``: logistic regression over log1p-scaled change features."""

    schema_version: int = MODEL_SCHEMA_VERSION
    kind: str = Field(default="logistic-log1p", pattern="^logistic-log1p$")
    features: list[str] = Field(min_length=1)
    mean: dict[str, float] = Field(description="Mean of log1p(feature) in the training data.")
    scale: dict[str, float] = Field(description="Standard deviation of log1p(feature).")
    coefficients: dict[str, float]
    intercept: float
    threshold: float = Field(ge=0, le=1, description="Probability that flags the riskiest share of history.")
    flag_share: float = Field(gt=0, le=1, description="That share (e.g. 0.2 = riskiest 20%).")
    window: TrainingWindow
    metrics: ModelMetrics
    calibration: list[CalibrationBin] = Field(default_factory=list)

    def terms(self, values: dict[str, float]) -> dict[str, float]:
        """Each feature's additive term in the log-odds."""
        out: dict[str, float] = {}
        for name in self.features:
            x = math.log1p(max(0.0, float(values.get(name, 0.0))))
            scale = self.scale[name] or 1.0
            out[name] = self.coefficients[name] * (x - self.mean[name]) / scale
        return out

    def predict(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(self.terms(values).values())
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"risk-model": RiskModel}

FIX = "retrain it with 'maestro-ci risk train' (writes .maestro/risk-model.json)"


def parse_model(doc: Any, file: str) -> RiskModel:
    if not isinstance(doc, dict):
        raise InputError("risk model must be a JSON object", file=file, fix=FIX)
    refuse_newer(doc, MODEL_SCHEMA_VERSION, "risk model", file, "upgrade maestro-ci, or " + FIX)
    try:
        model = RiskModel.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InputError(
            f"invalid risk model: {where}: {err['msg']}", file=file, place=where, fix=FIX
        ) from exc
    for table in ("coefficients", "mean", "scale"):
        missing = [f for f in model.features if f not in getattr(model, table)]
        if missing:
            raise InputError(
                f"risk model lacks {table} for feature(s) {', '.join(missing)}",
                file=file,
                place=table,
                fix=FIX,
            )
    bad = [name for name, v in model.coefficients.items() if not math.isfinite(v)]
    if bad or not math.isfinite(model.intercept):
        raise InputError("risk model has non-finite coefficients", file=file, fix=FIX)
    return model


def load_model(path: Path) -> RiskModel:
    from maestro_ci.sources.store import read_json

    return parse_model(read_json(path, "risk model"), str(path))
