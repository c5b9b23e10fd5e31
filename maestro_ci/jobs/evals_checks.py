"""One function per check type: (check, run context) -> CheckResult with a score in [0, 1]."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

from maestro_ci.errors import MaestroError
from maestro_ci.jobs import evals_check_models as cm
from maestro_ci.jobs.evals_context import RunContext, as_list
from maestro_ci.jobs.evals_model import predicate_of
from maestro_ci.jobs.evals_requirements import PREDICATE_FUNCS
from maestro_ci.jobs.evals_results import CheckResult

OK_P2P = ("passed", "skipped")


def _result(
    check: Any, name: str, ok: bool, message: str, score: float | None = None, **details: Any
) -> CheckResult:
    return CheckResult(
        name=name,
        type=check.type,
        status="pass" if ok else "fail",
        score=(1.0 if ok else 0.0) if score is None else round(score, 6),
        message=message,
        details=details,
    )


def patch_applies(check: cm.PatchApplies, ctx: RunContext, name: str) -> CheckResult:
    out = ctx.patch(check.patch, check.three_way)
    return _result(check, name, out.applies, out.message, method=out.method)


def match(selector: str, outcomes: dict[str, str]) -> list[str]:
    """Node ids a selector names: exact id, a file or class prefix, or a glob (``*``/``?``)."""
    if selector in outcomes:
        return [selector]
    if "*" in selector or "?" in selector:
        return sorted(n for n in outcomes if fnmatch.fnmatchcase(n, selector))
    prefix = selector.rstrip(":") + "::"
    return sorted(n for n in outcomes if n.startswith(prefix))


def tests_pass(check: cm.TestsPass, ctx: RunContext, name: str) -> CheckResult:
    f2p = as_list(check.fail_to_pass) or as_list(ctx.fixture.failing_tests)
    p2p = as_list(check.pass_to_pass) or as_list(ctx.fixture.passing_tests)
    outcomes = ctx.head_outcomes(check.junit)
    if outcomes is None:
        return _result(check, name, False, "no JUnit results: pass --junit FILES (or the fixture `junit`)")
    problems: list[str] = []
    judged = 0
    named_f2p: set[str] = set()
    for selector in f2p:
        ids = match(selector, outcomes)
        if not ids:
            problems.append(f"{selector} has no result (fail_to_pass)")
            judged += 1
        for node in ids:
            named_f2p.add(node)
            judged += 1
            if outcomes[node] != "passed":
                problems.append(f"{node} {outcomes[node]} (fail_to_pass: must now pass)")
    if p2p:
        p2p_ids: list[str] = []
        for selector in p2p:
            ids = match(selector, outcomes)
            if not ids:
                problems.append(f"{selector} has no result (pass_to_pass)")
                judged += 1
            p2p_ids += ids
        p2p_set = set(p2p_ids) - named_f2p
        judged += len(p2p_set)
        bad = sorted(n for n in p2p_set if outcomes[n] not in OK_P2P)
    else:  # every other test in the results
        judged += len(outcomes) - len(named_f2p)
        bad = [n for n in ctx.ws.not_passing(ctx.junit_files(check.junit)) if n not in named_f2p]
    problems += [f"{n} {outcomes[n]} (pass_to_pass: must still pass)" for n in bad]
    if judged == 0:
        return _result(check, name, False, "the JUnit results hold no test to judge")
    ok = not problems
    score = (judged - len(problems)) / judged if check.partial_credit else None
    message = (
        f"{judged} test(s) resolved: fail_to_pass pass, pass_to_pass still pass"
        if ok
        else f"{len(problems)} of {judged} test(s) wrong: " + "; ".join(problems[:5])
    )
    return _result(check, name, ok, message, score, problems=problems)


def risk_score_max(check: cm.RiskScoreMax, ctx: RunContext, name: str) -> CheckResult:
    gate = ctx.gate("risk")
    if gate.score is None:
        return _result(check, name, False, f"the risk result has no score (status {gate.status})")
    ok = gate.score <= check.max
    sign = "≤" if ok else ">"
    return _result(
        check, name, ok, f"risk score {gate.score:.3f} {sign} max {check.max:.3f}", risk=gate.score
    )


def coverage_min(check: cm.CoverageMin, ctx: RunContext, name: str) -> CheckResult:
    if ctx.fixture.coverage_data:
        covered, total = ctx.ws.changed_line_coverage(ctx.fixture.coverage_data, ctx.base, ctx.head)
        if total == 0:
            return _result(check, name, True, "no changed executable lines to cover")
        value = covered / total
    else:
        gate = ctx.gate("coverage")
        raw = gate.metrics.get("changed_line_coverage", gate.score)
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            return _result(check, name, False, "the coverage result has no changed-line coverage")
        value = float(raw)
    ok = value >= check.min
    sign = "≥" if ok else "<"
    return _result(
        check, name, ok, f"changed-line coverage {value:.1%} {sign} min {check.min:.1%}", coverage=value
    )


def policy_clean(check: cm.PolicyClean, ctx: RunContext, name: str) -> CheckResult:
    gate = ctx.gate("policy")
    ok = gate.status == "pass" or (check.allow_warn and gate.status == "warn")
    if ok:
        return _result(check, name, True, f"policy {gate.status}")
    why = "; ".join(r.message for r in gate.reasons[:3]) or gate.summary
    return _result(check, name, False, f"policy {gate.status}: {why}")


def structured_requirements(check: cm.StructuredRequirements, ctx: RunContext, name: str) -> CheckResult:
    found: dict[str, str] = {}
    failed: list[str] = []
    for item in check.require:
        predicate, arg = predicate_of(item)
        ok, what = PREDICATE_FUNCS[predicate](arg, ctx)
        label = item if isinstance(item, str) else predicate
        found[label] = ("met: " if ok else "not met: ") + what
        if not ok:
            failed.append(f"{label}: {what}")
    total = len(check.require)
    ok = not failed
    score = (total - len(failed)) / total if check.partial_credit else None
    message = f"all {total} requirement(s) met" if ok else "; ".join(failed)
    return _result(check, name, ok, message, score, requirements=found)


def _schema_of(value: dict[str, Any] | str, ctx: RunContext) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    data = ctx.ws.read_data(value)
    if not isinstance(data, dict):
        raise MaestroError("a schema must be a mapping", file=value)
    return data


def _schema_problem(data: Any, schema: dict[str, Any]) -> str | None:
    from maestro_ci.sources.yamlfile import jsonschema_module

    errors = sorted(
        jsonschema_module().Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    if not errors:
        return None
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in errors[0].absolute_path)
    return f"at {where}: {errors[0].message}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")


def _assert(assertion: cm.Assertion, text: str, ctx: RunContext) -> str | None:
    for key, value in assertion.model_dump(exclude_none=True).items():
        negate = key.startswith("not_")
        kind = key.removeprefix("not_")
        if kind == "contains":
            hit = value in text
        elif kind == "regex":
            hit = re.search(value, text, re.MULTILINE) is not None
        elif kind == "equals":
            hit = text.strip() == str(value).strip()
        else:
            try:
                hit = _schema_problem(json.loads(text), _schema_of(value, ctx)) is None
            except ValueError:
                hit = False
        if hit == negate:
            label = ("not-" if negate else "") + kind
            shown = value if isinstance(value, str) else "the schema"
            return f"output fails {label} {shown!r}"
    return None


def command(check: cm.Command, ctx: RunContext, name: str) -> CheckResult:
    out = ctx.command(check.run, check.cwd, check.env_allow, check.env, check.timeout)
    if out.timed_out:
        limit = check.timeout or ctx.timeout or ctx.options.command_timeout
        return _result(check, name, False, f"`{check.run}` timed out after {limit:g} s (killed)")
    if out.failed_to_start:
        return _result(check, name, False, f"`{check.run}` could not start: {out.failed_to_start}")
    if out.missing:
        return _result(check, name, False, f"command not found: {out.missing}")
    details = {"exit_code": out.exit_code, "seconds": round(out.seconds, 3)}
    if out.exit_code != check.exit_code:
        tail = (out.stderr or out.stdout).strip().splitlines()
        said = f": {tail[-1][:200]}" if tail else ""
        return _result(
            check,
            name,
            False,
            f"`{check.run}` exited {out.exit_code} (expected {check.exit_code}){said}",
            **details,
        )
    text = {"stdout": out.stdout, "stderr": out.stderr, "both": out.stdout + out.stderr}[check.stream]
    problems = [p for a in check.expect if (p := _assert(a, text, ctx))]
    if problems:
        return _result(check, name, False, "; ".join(problems), **details)
    return _result(
        check,
        name,
        True,
        f"`{check.run}` exited {out.exit_code}, {len(check.expect)} assertion(s) hold",
        **details,
    )


def json_schema(check: cm.JsonSchemaCheck, ctx: RunContext, name: str) -> CheckResult:
    problem = _schema_problem(ctx.ws.read_data(check.file), _schema_of(check.schema_, ctx))
    if problem:
        return _result(check, name, False, f"{check.file} does not match its schema {problem}")
    return _result(check, name, True, f"{check.file} matches its schema")


RUNNERS: dict[str, Callable[[Any, RunContext, str], CheckResult]] = {
    "patch_applies": patch_applies,
    "tests_pass": tests_pass,
    "risk_score_max": risk_score_max,
    "coverage_min": coverage_min,
    "policy_clean": policy_clean,
    "structured_requirements": structured_requirements,
    "command": command,
    "json_schema": json_schema,
}


def run_check(check: Any, ctx: RunContext, name: str) -> CheckResult:
    """Run one check; a bad input or unreachable source fails it closed with the reason."""
    try:
        return RUNNERS[check.type](check, ctx, name)
    except MaestroError as exc:
        return _result(check, name, False, exc.diagnostics().replace("\n  fix: ", " — fix: "))
    except Exception as exc:
        return CheckResult(
            name=name,
            type=check.type,
            status="error",
            score=0.0,
            message=f"internal error: {type(exc).__name__}: {exc}",
        )
