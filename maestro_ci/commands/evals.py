"""``maestro-ci eval list|run|coverage``: the scenario registry and the eval-score gate."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.evals_model import Scenario
    from maestro_ci.jobs.evals_results import EvalReport

DESCRIPTION = (
    "Score the change with eval scenarios (evals/*.yml): weighted checks, per-scenario and suite "
    "thresholds, required scenarios, regressions against a baseline, robustness, holdout, repeats."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci eval list --tag smoke\n"
    "  python -m pytest --junitxml=junit.xml\n"
    "  maestro-ci eval run --junit junit.xml --base origin/main --baseline main-evals.json\n"
    "  maestro-ci eval coverage\n\n"
    "exit 0 pass, 1 blocked, 2 bad scenario or flag, 3 no verdict (a scenario errored)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list the scenarios")
    listing.add_argument("--tag", action="append", default=[], metavar="T", help="only scenarios with tag T")
    run = sub.add_parser("run", help="run the scenarios and gate on their scores")
    run.add_argument("--scenario", action="append", default=[], metavar="ID", help="only this scenario")
    run.add_argument("--tag", action="append", default=[], metavar="T", help="only scenarios with tag T")
    run.add_argument("--jobs", type=int, metavar="N", help="scenarios run in parallel (evals.jobs)")
    run.add_argument("--baseline", metavar="FILE", help="results of the default branch (JSON)")
    run.add_argument("--junit", nargs="+", default=[], metavar="FILE", help="JUnit XML of the head (globs)")
    run.add_argument(
        "--base-junit",
        nargs="+",
        default=[],
        metavar="FILE",
        help="JUnit XML of the new tests run on the base",
    )
    run.add_argument(
        "--base", metavar="REF", help="base of the change (default: resolved from CI/merge-base)"
    )
    run.add_argument("--head", metavar="REF", help="head of the change (default HEAD)")
    sub.add_parser("coverage", help="scenarios per prompt; flags prompts with too few")


def _suite(inv: Invocation) -> list[tuple[Path, Scenario, str]]:
    from maestro_ci.jobs.evals_model import load_suite

    root = inv.settings.base_dir
    folder = root / inv.settings.config.evals.dir
    return [(p, s, _shown(p, root)) for p, s in load_suite(folder)]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _select(items: list[tuple[Path, Scenario, str]], ids: list[str], tags: list[str]) -> list[Any]:
    from maestro_ci.errors import UsageError, did_you_mean

    known = {s.id for _, s, _ in items}
    for sid in ids:
        if sid not in known:
            hint = did_you_mean(sid, known)
            raise UsageError(
                f"no scenario '{sid}'" + (f", {hint}" if hint else ""),
                fix="run 'maestro-ci eval list' for the ids",
            )
    return [
        item
        for item in items
        if (not ids or item[1].id in ids) and (not tags or set(tags) & set(item[1].tags))
    ]


def run(args: argparse.Namespace, inv: Invocation) -> int:
    if args.action == "list":
        return _list(args, inv)
    if args.action == "coverage":
        return _coverage(inv)
    return _run(args, inv)


def _list(args: argparse.Namespace, inv: Invocation) -> int:
    items = _select(_suite(inv), [], args.tag)
    rows = [
        {
            "id": s.id,
            "file": shown,
            "tags": s.tags,
            "prompt": s.prompt,
            "checks": [c.type for c in s.checks],
            "holdout": s.holdout,
            "required": s.required,
        }
        for _, s, shown in items
    ]
    if getattr(args, "format", "text") == "json":
        inv.write(json.dumps(rows, indent=2) + "\n", getattr(args, "output", None))
        return 0
    lines = [
        f"{r['id']}  {r['file']}  tags={','.join(r['tags']) or '-'}  prompt={r['prompt'] or '-'}"
        f"{'  holdout' if r['holdout'] else ''}{'  required' if r['required'] else ''}"
        for r in rows
    ]
    inv.write("".join(f"{line}\n" for line in lines) or "no scenarios\n", getattr(args, "output", None))
    return 0


def _coverage(inv: Invocation) -> int:
    from maestro_ci.models import GateResult, Reason, Status

    section = inv.settings.config.evals
    counts: dict[str, int] = dict.fromkeys(section.prompts, 0)
    for _, s, _ in _suite(inv):
        key = s.prompt or "(no prompt)"
        counts[key] = counts.get(key, 0) + 1
    low = sorted(p for p, n in counts.items() if p != "(no prompt)" and n < section.min_scenarios_per_prompt)
    reasons = [
        Reason(
            code="evals.prompt-coverage",
            message=f"prompt '{p}' has {counts[p]} scenario(s), fewer than {section.min_scenarios_per_prompt}",
            fix="add scenarios with `prompt: " + p + "`",
            severity=Status.WARN,
        )
        for p in low
    ]
    result = GateResult(
        gate="eval-coverage",
        status=Status.WARN if reasons else Status.PASS,
        summary=f"{len(counts)} prompt(s), {len(low)} below {section.min_scenarios_per_prompt} scenarios",
        reasons=reasons,
        metrics={f"prompt:{p}": n for p, n in sorted(counts.items())},
        details={"prompts": dict(sorted(counts.items())), "minimum": section.min_scenarios_per_prompt},
    )
    return inv.emit(result)


def load_baseline(path: Path) -> EvalReport:
    from pydantic import ValidationError

    from maestro_ci.errors import InputError
    from maestro_ci.jobs.evals_results import EvalReport
    from maestro_ci.sources.store import read_json

    data = read_json(path, "baseline")
    if isinstance(data, dict) and isinstance(data.get("details"), dict) and "report" in data["details"]:
        data = data["details"]["report"]
    try:
        return EvalReport.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            f"not eval results: {exc.errors()[0]['msg']}",
            file=str(path),
            fix="pass the evals.json of a run on the default branch (or `eval run --format json` output)",
        ) from exc


def _run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.context import resolve_range
    from maestro_ci.errors import MaestroError, UsageError
    from maestro_ci.jobs.evals import run_suite
    from maestro_ci.jobs.evals_context import Options
    from maestro_ci.jobs.evals_gate import to_gate_result
    from maestro_ci.models import InputFile
    from maestro_ci.sources.eval_workspace import Workspace
    from maestro_ci.sources.store import sha256_file

    settings = inv.settings
    section = settings.config.evals
    root = settings.base_dir
    items = _select(_suite(inv), args.scenario, args.tag)
    jobs = args.jobs if args.jobs is not None else section.jobs
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} must be 1 or more", fix="pass --jobs 1 or more")
    baseline = (
        load_baseline(Path(args.baseline) if Path(args.baseline).is_absolute() else inv.cwd / args.baseline)
        if args.baseline
        else None
    )
    args.junit = [str(inv.cwd / p) for p in args.junit]  # flags are relative to where we run
    args.base_junit = [str(inv.cwd / p) for p in args.base_junit]
    range_error = None
    range_info: dict[str, str] = {}
    try:
        rng = resolve_range(root, args.base, args.head, inv.env)
        base, head, range_info = rng.base, rng.head, rng.as_dict()
    except MaestroError as exc:
        base, head, range_error = "", args.head or "HEAD", exc.diagnostics()
        range_info = {"error": range_error}
    ws = Workspace(
        root=root,
        base=base,
        head=head,
        run_dir=settings.run_dir,
        env=inv.env,
        junit=list(args.junit) or list(section.junit),
        base_junit=list(args.base_junit) or list(section.base_junit),
        gate_commands=section.gate_commands,
        range_error=range_error,
    )
    options = Options(
        threshold=section.threshold,
        command_timeout=section.command_timeout,
        env_allow=tuple(section.env_allow),
        junit=tuple(ws.junit),
        base_junit=tuple(ws.base_junit),
        allowed_regression=section.allowed_regression,
        robustness_bound=section.robustness_bound,
    )
    for flag in (list(args.junit), list(args.base_junit)):
        if flag:  # files named on the command line: a missing or broken one is bad input (exit 2)
            ws.outcomes(flag)
    report = run_suite(items, ws, options, jobs, baseline, args.baseline)
    result = to_gate_result(report)
    inputs = [InputFile(path=shown, sha256=sha256_file(path)) for path, _, shown in items]
    for junit in sorted({p for flag in (args.junit, args.base_junit) for p in ws.expand(list(flag))}):
        inputs.append(InputFile(path=_shown(junit, root), sha256=sha256_file(junit)))
    result = result.model_copy(update={"inputs": inputs, "details": {**result.details, "range": range_info}})
    return inv.emit(result, {"text": _text})


def _text(result: Any) -> str:
    from maestro_ci.render.text import render_text

    report = result.details.get("report", {})
    lines = [render_text(result).rstrip("\n")]
    for s in report.get("scenarios", []):
        mark = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[s["status"]]
        lines.append(
            f"  {mark:5} {s['id']}  {s['score']:.3f} / {s['threshold']:.3f}{'  (holdout)' if s['holdout'] else ''}"
        )
        for c in s["checks"]:
            if c["status"] != "pass":
                lines.append(f"        {c['name']}: {c['message']}")
    lines.append(f"verdict: {result.status} (exit {result.exit_code})")
    return "\n".join(lines) + "\n"
