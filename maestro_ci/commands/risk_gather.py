"""Gather the risk signals from their sources and score them (``maestro-ci risk``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import UsageError
from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.risk import Signal
    from maestro_ci.models import ChangeSet, GateResult
    from maestro_ci.sections.risk import RiskSection
    from maestro_ci.sources.alerts import Alert
    from maestro_ci.sources.importgraph import ImportGraph


def _path(root: Path, name: str) -> Path:
    p = Path(name)
    return p if p.is_absolute() else root / p


def _coverage_signal(
    args: argparse.Namespace, root: Path, change: ChangeSet, changed: dict[str, set[int]], inputs: list[Path]
) -> tuple[Signal, dict[str, float | None]]:
    from maestro_ci.jobs import risk_signals
    from maestro_ci.sources import coverage_data, git

    if bool(args.coverage_base) != bool(args.coverage_head):
        raise UsageError(
            "coverage needs both sides", fix="pass --coverage-base FILE and --coverage-head FILE together"
        )
    if not args.coverage_base:
        return risk_signals.coverage(None, None, changed)
    base_tracked = set(git.tracked_files(root, change.base_sha))
    head_tracked = set(git.tracked_files(root, change.head_sha))
    base_path, head_path = _path(root, args.coverage_base), _path(root, args.coverage_head)
    base = coverage_data.load(
        base_path, root, base_tracked, lambda rel: git.show_file(change.base_sha, rel, root)
    )
    head = coverage_data.load(
        head_path, root, head_tracked, lambda rel: git.show_file(change.head_sha, rel, root)
    )
    inputs += [base_path, head_path]
    return risk_signals.coverage(base, head, changed)


def _complexity_signal(root: Path, change: ChangeSet, hunks: dict[str, Any]) -> Signal:
    from maestro_ci.jobs import complexity, risk_signals
    from maestro_ci.sources import git

    base_cc: dict[str, int] = {}
    head_cc: dict[str, int] = {}
    python = [f for f in change.files if f.path.endswith(".py") or (f.old_path or "").endswith(".py")]
    for f in python:
        h = hunks.get(f.path)
        if h is None:
            continue
        old_text = git.show_file(change.base_sha, f.old_path or f.path, root) or ""
        new_text = git.show_file(change.head_sha, f.path, root) or ""
        for name, cc in complexity.touched(complexity.functions(old_text), h.old).items():
            base_cc[f"{f.path}:{name}"] = cc
        for name, cc in complexity.touched(complexity.functions(new_text), h.new).items():
            head_cc[f"{f.path}:{name}"] = cc
    return risk_signals.complexity(complexity.delta(base_cc, head_cc), bool(python))


def _alerts(args: argparse.Namespace, root: Path, inputs: list[Path]) -> list[Alert] | None:
    from maestro_ci.sources.alerts import load_ruff, load_sarif

    if not args.sarif and not args.ruff_json:
        return None
    alerts: list[Alert] = []
    for name in args.sarif:
        inputs.append(_path(root, name))
        alerts += load_sarif(_path(root, name), root)
    for name in args.ruff_json:
        inputs.append(_path(root, name))
        alerts += load_ruff(_path(root, name), root)
    return alerts


def gather(
    args: argparse.Namespace, inv: Invocation, section: RiskSection
) -> tuple[list[Signal], dict[str, Any], list[Path], ChangeSet, ImportGraph | None]:
    from maestro_ci.context import resolve_range
    from maestro_ci.jobs import risk_signals
    from maestro_ci.sources import codeowners, git, git_history
    from maestro_ci.sources.alerts import read_fail_counts
    from maestro_ci.sources.importgraph import build_graph

    root = inv.settings.base_dir
    rng = resolve_range(root, args.base, args.head, inv.env)
    change = git.change_set(rng.base, rng.head, root)
    hunks = git.changed_lines(change.base_sha, change.head_sha, root)
    changed = {path: h.new for path, h in hunks.items()}
    present = [f.path for f in change.files if f.kind != "deleted"]
    inputs: list[Path] = []
    churn = git_history.churn(present, change.head_sha, section.churn_days, root)
    graph = build_graph(root)
    owners = codeowners.load(root)
    coverage_signal, coverage_facts = _coverage_signal(args, root, change, changed, inputs)
    timings = _path(root, args.timings) if args.timings else root / ".maestro" / "timings.json"
    counts, no_counts = read_fail_counts(timings)
    if counts is not None:
        inputs.append(timings)
    signals = [
        risk_signals.lines_changed(change),
        risk_signals.churn(churn, section.churn_days),
        risk_signals.files_touched(change),
        risk_signals.owners_touched(owners, change.paths),
        risk_signals.centrality(graph, change.paths),
        coverage_signal,
        _complexity_signal(root, change, hunks),
        risk_signals.static_alerts(_alerts(args, root, inputs), changed),
        risk_signals.test_fail_rate(counts, graph, change.paths, no_counts),
    ]
    context = {
        "range": rng.as_dict(),
        "base_sha": change.base_sha,
        "head_sha": change.head_sha,
        "files": change.paths[:200],
        **dict(coverage_facts.items()),
    }
    return signals, context, inputs, change, graph


def _input_files(paths: list[Path], root: Path) -> list[dict[str, str]]:
    from maestro_ci.sources.store import sha256_file

    out = []
    for p in dict.fromkeys(paths):
        try:
            shown = p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = str(p)
        out.append({"path": shown, "sha256": sha256_file(p)})
    return out


def run_score(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.risk import heuristic_result

    section = inv.settings.config.risk
    updates: dict[str, Any] = {}
    if args.threshold is not None:
        if not 0 <= args.threshold <= 1:
            raise UsageError("--threshold must be in [0, 1]", fix="for example --threshold 0.7")
        updates["threshold"] = args.threshold
    if args.enforce:
        updates["enforce"] = True
    section = section.model_copy(update=updates)
    root = inv.settings.base_dir
    model_name = args.model or section.model
    model = None
    if model_name:
        from maestro_ci.jobs.risk_model import load_model

        model = load_model(_path(root, model_name))
        from maestro_ci.sources.git_history import require_full_history

        require_full_history(root, "the model's features")
    signals, context, inputs, change, _graph = gather(args, inv, section)
    metrics = {"files": len(change.files), "lines": change.lines_changed}
    if model is not None:
        from maestro_ci.commands.risk_model_score import model_result

        inputs.append(_path(root, model_name or ""))
        result: GateResult = model_result(
            model, signals, change, inv, section, metrics, context, _input_files(inputs, root)
        )
    else:
        result = heuristic_result(signals, section, metrics, _input_files(inputs, root), context)
    return inv.emit(result)
