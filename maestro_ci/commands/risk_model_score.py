"""Score a change with a calibrated model (``maestro-ci risk --model FILE``).

The change (base..head) is described as one pseudo-commit with the same
features the model was trained on, from the history of the touched files and
of the head commit's author.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.risk import Signal
    from maestro_ci.jobs.risk_model import RiskModel
    from maestro_ci.models import ChangeSet, GateResult
    from maestro_ci.sections.risk import RiskSection

WORDS = {
    "la": "adds {v:.0f} lines",
    "ld": "deletes {v:.0f} lines",
    "lt": "touches files of {v:.0f} lines on average",
    "nf": "touches {v:.0f} files",
    "nd": "spans {v:.0f} directories",
    "ns": "spans {v:.0f} subsystems",
    "entropy": "spreads the change over its files (entropy {v:.2f})",
    "age": "touches files last changed {v:.0f} days ago on average",
    "ndev": "touches files changed by {v:.0f} developers",
    "nuc": "touches files with {v:.0f} prior changes",
    "exp": "author has {v:.0f} prior commits",
    "rexp": "author's recent experience is {v:.1f}",
    "sexp": "author has {v:.0f} prior commits in these subsystems",
    "fix": "is a bug fix",
    "churn30": "the touched files changed by {v:.0f} lines in the last 30 days",
    "test_share": "{v:.0%} of the touched files are tests",
}


def change_features(change: ChangeSet, inv: Invocation, section: RiskSection) -> dict[str, float]:
    from maestro_ci.jobs.risk_features import History
    from maestro_ci.sources import git
    from maestro_ci.sources.git_history import Commit, FileStat, commit_time, iter_log, require_full_history

    root = inv.settings.base_dir
    require_full_history(root, "the model's features")
    head = change.head_sha
    email = git.run_git(["log", "-1", "--format=%aE", head], root).strip().lower()
    paths = [f.path for f in change.files]
    seen: dict[str, Commit] = {}
    if paths:
        for c in iter_log([change.base_sha, "--", *paths], root):
            seen[c.sha] = c
    for c in iter_log([change.base_sha, "--fixed-strings", f"--author=<{email}>"], root):
        seen[c.sha] = c
    history = History(section.fix_keywords)
    for c in sorted(seen.values(), key=lambda c: c.time):
        history.observe(c)
    message = "\n".join(
        git.run_git(["log", "--format=%B", f"{change.base_sha}..{head}"], root).splitlines()[:200]
    )
    pseudo = Commit(
        sha=head,
        parents=(change.base_sha,),
        author="",
        email=email,
        time=commit_time(head, root),
        message=message,
        files=tuple(FileStat(f.path, f.added, f.deleted) for f in change.files),
    )
    return history.features(pseudo)


def model_result(
    model: RiskModel,
    signals: list[Signal],
    change: ChangeSet,
    inv: Invocation,
    section: RiskSection,
    metrics: dict[str, Any],
    context: dict[str, Any],
    inputs: list[dict[str, str]],
) -> GateResult:
    from maestro_ci.jobs.risk import score_signals, signal_rows, verdict
    from maestro_ci.models import Reason, Status

    values = change_features(change, inv, section)
    terms = model.terms(values)
    probability = round(model.predict(values), 3)
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "raw": round(values.get(name, 0.0), 4),
            "coefficient": round(model.coefficients[name], 4),
            "contribution": round(terms[name], 4),
            "words": WORDS.get(name, name + " {v}").format(v=values.get(name, 0.0)),
        }
        for name in model.features
    ]
    rows.sort(key=lambda r: -float(r["contribution"]))
    reasons = [
        Reason(
            code=f"risk.model.{r['name']}",
            message=f"{r['words']} (log-odds +{r['contribution']:.2f})",
            severity=Status.PASS,
        )
        for r in rows[:3]
        if float(r["contribution"]) > 0
    ]
    formula_score, scored = score_signals(signals, section)
    details = {
        **context,
        "model": {
            "features": rows,
            "intercept": model.intercept,
            "threshold": model.threshold,
            "flag_share": model.flag_share,
            "window": model.window.model_dump(),
            "metrics": model.metrics.model_dump(),
        },
        "signals": signal_rows(scored),
        "formula_score": formula_score,
        "not_measured": [s.signal.name for s in scored if s.signal.raw is None],
    }
    return verdict(
        probability,
        model.threshold,
        section.enforce,
        reasons,
        details,
        {**metrics, "formula_score": formula_score},
        inputs,
        f"model, flags the riskiest {model.flag_share:.0%} of history",
    )
