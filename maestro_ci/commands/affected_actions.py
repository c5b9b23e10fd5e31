"""``affected merge-maps``, ``affected report`` and ``--explain``."""

from __future__ import annotations

import argparse
from pathlib import Path

from maestro_ci.frontend import Invocation
from maestro_ci.jobs.affected_report import missed
from maestro_ci.models import GateResult, Reason, Status
from maestro_ci.sources.importgraph import ImportGraph


def merge_maps_action(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.sources.coverage_map import load_map, merge_maps, save_map

    maps = [(name, load_map(inv.cwd / name)) for name in args.maps]
    merged = merge_maps(maps)
    out = (
        Path(args.output)
        if getattr(args, "output", None)
        else inv.settings.base_dir / inv.settings.config.selection.coverage_map
    )
    save_map(out if out.is_absolute() else inv.cwd / out, merged)
    inv.info(
        f"affected: merged {len(maps)} map(s): {len(merged.tests)} tests, {len(merged.files)} files -> {out}"
    )
    return 0


def report_action(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.sources.observations import read_observations, save_observation

    root = inv.settings.base_dir
    records, warnings = read_observations(root)
    if args.junit:
        from maestro_ci.sources.junit_failures import failed_tests

        pending = [(p, o) for p, o in records if o.failed is None]
        if not pending:
            from maestro_ci.errors import InputError

            raise InputError(
                "no observation waits for results", fix="run 'maestro-ci affected --observe' first"
            )
        path, obs = pending[-1]
        failed = failed_tests([inv.cwd / j for j in args.junit], root)
        save_observation(path, obs, failed=failed)
        records, warnings = read_observations(root)
    reasons: list[Reason] = []
    known = [o for _, o in records if o.failed is not None]
    ratios = []
    for _path, obs in records:
        if obs.total and not obs.run_all_triggers:
            ratios.append(len({t.split("::", 1)[0] for t in obs.would_select}) / obs.total)
        for test in missed(obs):
            reasons.append(
                Reason(
                    code="affected.missed",
                    message=f"{test} failed but selection would have skipped it ({obs.base[:12]}..{obs.head[:12]})",
                    fix="open an issue with the change; add the dependency to selection.map meanwhile",
                    severity=Status.WARN,
                )
            )
    ratios.sort()
    median = ratios[len(ratios) // 2] if ratios else None
    summary = (
        f"{len(records)} observed run(s), {len(known)} with results, {len(reasons)} missed failure(s)"
        + (f", median selection {median:.0%} of test files" if median is not None else "")
    )
    result = GateResult(
        gate="affected-report",
        status=Status.WARN if reasons else Status.PASS,
        summary=summary,
        reasons=reasons,
        metrics={
            "runs": len(records),
            "runs_with_results": len(known),
            "missed": len(reasons),
            "median_selection": median,
        },
        details={"warnings": warnings, "runs": [p.name for p, _ in records]},
    )
    for warning in warnings:
        inv.info(f"affected report: {warning}")
    return inv.emit(result)


def explain(result: GateResult, graph: ImportGraph, nodeid: str) -> str:
    from maestro_ci.commands.affected import describe

    file = nodeid.split("::", 1)[0]
    if result.details.get("run_all"):
        why = "; ".join(t["message"] for t in result.details["triggers"]) or "observation mode"
        return f"{nodeid}: selected (every test runs: {why})\n"
    for entry in result.details.get("selected", []):
        if entry["test"] in (nodeid, file, nodeid.split("[", 1)[0]):
            return f"{nodeid}: selected — " + "; ".join(describe(w) for w in entry["why"]) + "\n"
    if file not in graph.test_files and file not in graph.files:
        return f"{nodeid}: not selected — {file} is not a test file this repository knows\n"
    mod = graph.module_of(file)
    deps = sorted(graph.modules[m] for m in graph.imports.get(mod or "", ()))
    changed = ", ".join(result.details.get("changed", [])) or "nothing"
    shown = ", ".join(deps[:8]) + (" ..." if len(deps) > 8 else "")
    unimported = result.details.get("unimported") or []
    note = (
        f"; no test imported {', '.join(unimported)} when the coverage map was recorded" if unimported else ""
    )
    return (
        f"{nodeid}: not selected — no import chain or recorded coverage links it to the change "
        f"({changed}); it imports: {shown or 'no repository module'}{note}\n"
    )
