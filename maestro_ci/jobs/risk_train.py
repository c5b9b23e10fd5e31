"""Training the calibrated risk model: SZZ labels, log1p features, logistic regression.

Time-ordered: the model is evaluated on the newest ``1 - split`` share of
commits after fitting on the older ones (no future leaks into training); the
coefficients written are then refitted on all commits. scikit-learn is needed
here only (the ``train`` extra); scoring with the model needs none of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import InputError
from maestro_ci.jobs.risk_model import CalibrationBin, ModelMetrics, RiskModel, TrainingWindow

if TYPE_CHECKING:
    from maestro_ci.sources.git_history import Commit

LARGE_FILES = 100  # commits touching more files are refactors/imports, never labelled buggy
LARGE_LINES = 10000
MIN_COMMITS = 30


def sklearn_or_explain() -> Any:
    try:
        import sklearn  # noqa: F401
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise InputError(
            "training the risk model needs scikit-learn, which is not installed",
            fix="pip install 'maestro-ci[train]' (or: pip install scikit-learn)",
        ) from exc
    return LogisticRegression


def is_large(commit: Commit) -> bool:
    return commit.is_merge or len(commit.files) > LARGE_FILES or commit.lines > LARGE_LINES


def labels(commits: Sequence[Commit], inducing: dict[str, set[str]]) -> list[int]:
    """1 for a commit blamed by a later fix (large refactors and merges never are), else 0."""
    blamed: set[str] = set()
    for shas in inducing.values():
        blamed |= shas
    return [1 if c.sha in blamed and not is_large(c) else 0 for c in commits]


def _matrix(rows: Sequence[dict[str, float]], features: Sequence[str]) -> list[list[float]]:
    return [[math.log1p(max(0.0, float(r.get(f, 0.0)))) for f in features] for r in rows]


def fit_logistic(
    rows: Sequence[dict[str, float]], y: Sequence[int], features: Sequence[str]
) -> tuple[dict[str, float], dict[str, float], dict[str, float], float]:
    """Coefficients, means, scales and intercept of an L2 logistic regression on standardised log1p(x)."""
    logistic = sklearn_or_explain()
    x = _matrix(rows, features)
    n = len(x)
    mean = [sum(col) / n for col in zip(*x, strict=True)]
    scale = [
        math.sqrt(sum((v - m) ** 2 for v in col) / n) or 1.0
        for col, m in zip(zip(*x, strict=True), mean, strict=True)
    ]
    z = [[(v - m) / s for v, m, s in zip(row, mean, scale, strict=True)] for row in x]
    clf = logistic(C=1.0, max_iter=1000)
    clf.fit(z, list(y))
    coef = [float(c) for c in clf.coef_[0]]
    names = list(features)
    return (
        dict(zip(names, coef, strict=True)),
        dict(zip(names, mean, strict=True)),
        dict(zip(names, scale, strict=True)),
        float(clf.intercept_[0]),
    )


def auc_brier(y: Sequence[int], p: Sequence[float]) -> tuple[float | None, float | None]:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    if not y:
        return None, None
    brier = float(brier_score_loss(list(y), list(p)))
    if len(set(y)) < 2:
        return None, brier
    return float(roc_auc_score(list(y), list(p))), brier


def calibration(y: Sequence[int], p: Sequence[float], bins: int = 10) -> list[CalibrationBin]:
    pairs = sorted(zip(p, y, strict=True))
    out: list[CalibrationBin] = []
    if not pairs:
        return out
    size = math.ceil(len(pairs) / bins)
    for i in range(0, len(pairs), size):
        chunk = pairs[i : i + size]
        out.append(
            CalibrationBin(
                low=round(chunk[0][0], 4),
                high=round(chunk[-1][0], 4),
                predicted=round(sum(c[0] for c in chunk) / len(chunk), 4),
                observed=round(sum(c[1] for c in chunk) / len(chunk), 4),
                count=len(chunk),
            )
        )
    return out


def quantile_threshold(p: Sequence[float], share: float) -> float:
    ordered = sorted(p, reverse=True)
    k = max(1, math.ceil(len(ordered) * share))
    return round(ordered[k - 1], 6)


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def train(
    commits: Sequence[Commit],
    rows: Sequence[dict[str, float]],
    y: Sequence[int],
    features: Sequence[str],
    fixes: int,
    flag_share: float = 0.2,
    split: float = 0.8,
) -> RiskModel:
    """Evaluate on the newest commits, refit on all, and describe the result as a :class:`RiskModel`."""
    keep = [i for i, c in enumerate(commits) if not is_large(c)]
    commits = [commits[i] for i in keep]
    rows = [rows[i] for i in keep]
    y = [y[i] for i in keep]
    if len(commits) < MIN_COMMITS or len(set(y)) < 2:
        raise InputError(
            f"not enough history to train: {len(commits)} usable commits, {sum(y)} blamed by a fix "
            f"(need at least {MIN_COMMITS} commits and some of each kind)",
            fix="mine a longer history (an earlier --since, or 'git fetch --unshallow'), or use the "
            "default formula (no --model)",
        )
    cut = int(len(commits) * split)
    train_y, test_y = list(y[:cut]), list(y[cut:])
    auc = brier = auc_la = None
    calib: list[CalibrationBin] = []
    if len(set(train_y)) == 2 and test_y:
        model = _model(rows[:cut], train_y, features, commits, fixes, y, flag_share, None, None, [], 0, 0)
        p = [model.predict(r) for r in rows[cut:]]
        auc, brier = auc_brier(test_y, p)
        auc_la, _ = auc_brier(
            test_y, [float(r.get("la", 0.0)) / (1 + float(r.get("la", 0.0))) for r in rows[cut:]]
        )
        calib = calibration(test_y, p)
    model = _model(rows, y, features, commits, fixes, y, flag_share, auc, brier, calib, cut, len(test_y))
    if auc_la is not None:
        metrics = model.metrics.model_copy(update={"auc_lines_added": round(auc_la, 4)})
        model = model.model_copy(update={"metrics": metrics})
    return model


def _model(
    rows: Sequence[dict[str, float]],
    y: Sequence[int],
    features: Sequence[str],
    commits: Sequence[Commit],
    fixes: int,
    all_y: Sequence[int],
    flag_share: float,
    auc: float | None,
    brier: float | None,
    calib: list[CalibrationBin],
    n_train: int,
    n_test: int,
) -> RiskModel:
    coef, mean, scale, intercept = fit_logistic(rows, y, features)
    draft = RiskModel(
        features=list(features),
        mean=mean,
        scale=scale,
        coefficients=coef,
        intercept=intercept,
        threshold=0.5,
        flag_share=flag_share,
        window=TrainingWindow(
            first=_day(commits[0].time),
            last=_day(commits[-1].time),
            commits=len(commits),
            labelled_buggy=sum(all_y),
            fixes=fixes,
            head=commits[-1].sha,
        ),
        metrics=ModelMetrics(
            auc=None if auc is None else round(auc, 4),
            brier=None if brier is None else round(brier, 4),
            train_commits=n_train,
            test_commits=n_test,
        ),
        calibration=calib,
    )
    threshold = quantile_threshold([draft.predict(r) for r in rows], flag_share)
    return draft.model_copy(update={"threshold": threshold})
