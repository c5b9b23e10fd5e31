"""The policy gate: run every rule on a change and decide allow / warn / deny.

Each finding becomes a reason carrying the rule's reason and fix. Its weight
follows the rule's mode: ``observe`` findings are recorded only, ``warn``
findings warn, ``enforce`` findings block (exit 1). An override with a
justification lifts a rule: its findings stay in the record, marked, and the
override is listed with who granted it and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maestro_ci.jobs.policy_compile import Compiled, CompiledPolicy, Finding
from maestro_ci.jobs.policy_model import Mode
from maestro_ci.jobs.policy_overrides import OverrideRequest
from maestro_ci.models import ChangeSet, GateResult, InputFile, Location, Override, Reason, Status

if TYPE_CHECKING:
    from maestro_ci.jobs.secrets import Masker
    from maestro_ci.sources.codeowners import CodeOwners
    from maestro_ci.sources.licences import PackageLicence
    from maestro_ci.sources.secret_baseline import SecretsBaseline
    from maestro_ci.sources.usage import UsageRecord

SEVERITY = {Mode.OBSERVE: Status.PASS, Mode.WARN: Status.WARN, Mode.ENFORCE: Status.FAIL}
_PREFIX = {Mode.OBSERVE: "[observe] ", Mode.WARN: "", Mode.ENFORCE: ""}


@dataclass
class PolicyInputs:
    """Everything the gate looks at, gathered by the front end."""

    policy: CompiledPolicy
    changes: ChangeSet
    read: Callable[[str], bytes | None] = lambda _path: None
    size_of: Callable[[str], int | None] = lambda _path: None
    added_lines: Mapping[str, set[int]] = field(default_factory=dict)
    owners: CodeOwners | None = None
    missing_codeowners: Mode = Mode.WARN
    packages: Sequence[PackageLicence] | None = None
    requirement_texts: Mapping[str, str] = field(default_factory=dict)
    usage: Sequence[UsageRecord] | None = None
    masker: Masker | None = None
    baseline: SecretsBaseline | None = None
    overrides: Sequence[OverrideRequest] = ()
    approvals: frozenset[str] | None = None  # owners whose approval the PR has; None = unknown
    approvals_note: str = ""  # why approvals are unknown (no PR, no token, API error)
    inputs: Sequence[InputFile] = ()
    notes: Sequence[str] = ()


def collect(inp: PolicyInputs) -> tuple[list[Finding], dict[str, Any]]:
    """Run every rule; return the findings and the numbers behind them."""
    from maestro_ci.jobs import policy_content, policy_deps, policy_paths

    pol, files = inp.policy, inp.changes.files
    found = policy_paths.path_findings(pol.of_kind("deny"), pol.of_kind("allow"), files)
    owner_rules = pol.of_kind("owners")
    if owner_rules and inp.owners is None:
        found.append(Finding("codeowners-missing", "no CODEOWNERS found (.github/, root or docs/)"))
    found += policy_paths.owner_findings(owner_rules, inp.owners, files, inp.approvals, inp.approvals_note)
    if inp.packages is not None:
        unknown = pol.of_kind("deps-unknown")
        found += policy_deps.licence_findings(
            pol.of_kind("deps-deny"), pol.of_kind("deps-allow"), unknown[0] if unknown else None, inp.packages
        )
    for rule in pol.of_kind("deps-pinned"):
        for name, text in sorted(inp.requirement_texts.items()):
            if rule.matches(name):
                found += policy_deps.pinned_findings(rule, name, text)
    found += policy_content.content_findings(pol.of_kind("content"), inp.changes, inp.read, inp.added_lines)
    if inp.masker is not None:
        for rule in pol.of_kind("secrets"):
            found += policy_content.secret_findings(
                rule, inp.changes, inp.read, inp.added_lines, inp.masker, inp.baseline
            )
    for rule in pol.of_kind("size"):
        found += policy_content.size_findings(rule, inp.changes, inp.size_of)
    metrics: dict[str, Any] = {}
    for rule in pol.of_kind("budget"):
        budget, totals = policy_content.budget_findings(rule, inp.usage or [])
        found += budget
        metrics.update({f"usage_{k}": v for k, v in totals.items()} if inp.usage is not None else {})
    return found, metrics


def _codeowners_rule(mode: Mode) -> Compiled:
    return Compiled(
        "codeowners-missing",
        "owners",
        mode,
        "owner rules need a CODEOWNERS file",
        "add .github/CODEOWNERS, or remove the owners rules",
        None,
    )


def evaluate(inp: PolicyInputs) -> GateResult:
    findings, metrics = collect(inp)
    rules = dict(inp.policy.by_id)
    rules.setdefault("codeowners-missing", _codeowners_rule(inp.missing_codeowners))
    hit = {f.rule for f in findings}
    granted: dict[str, Override] = {}
    reasons: list[Reason] = []
    for req in inp.overrides:
        if not req.justification:
            reasons.append(
                Reason(
                    code="policy.override-refused",
                    message=f"override of '{req.rule}' from {req.granted_by} refused: no justification given",
                    fix=f"give a reason: MAESTRO_OVERRIDE='{req.rule}: why this change is safe'",
                    severity=Status.WARN,
                )
            )
        elif req.rule in hit and req.rule not in granted:
            granted[req.rule] = Override(
                rule=req.rule, granted_by=req.granted_by, justification=req.justification, source=req.source
            )
    counts = {"enforce": 0, "warn": 0, "observe": 0, "overridden": 0}
    for f in findings:
        rule = rules[f.rule]
        lifted = f.rule in granted
        severity = Status.PASS if lifted else SEVERITY[rule.mode]
        counts["overridden" if lifted else rule.mode.value] += 1
        reasons.append(
            Reason(
                code=f"policy.{f.rule}",
                message=("[overridden] " if lifted else _PREFIX[rule.mode]) + f.message,
                fix=rule.fix,
                location=Location(file=f.file, line=f.line, column=f.column) if f.file else None,
                severity=severity,
            )
        )
    status = Status.worst([r.severity for r in reasons])
    per_rule = [
        {
            "id": r.id,
            "kind": r.kind,
            "mode": r.mode.value,
            "reason": r.reason,
            "fix": r.fix,
            "findings": sum(1 for f in findings if f.rule == r.id),
            "overridden": r.id in granted,
        }
        for r in rules.values()
        if r.id != "codeowners-missing" or r.id in hit
    ]
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    summary = (
        f"{len(inp.changes.files)} changed file(s), {len(inp.policy.rules)} rule(s): "
        + (", ".join(parts) if parts else "no findings")
        + ("; an override was refused" if any(r.code == "policy.override-refused" for r in reasons) else "")
    )
    return GateResult(
        gate="policy",
        status=status,
        summary=summary,
        reasons=reasons,
        metrics={
            "changed_files": len(inp.changes.files),
            "rules": len(inp.policy.rules),
            "findings": len(findings),
            "denials": counts["enforce"],
            "warnings": counts["warn"],
            "observed": counts["observe"],
            "overrides": len(granted),
            **metrics,
        },
        inputs=list(inp.inputs),
        overrides=sorted(granted.values(), key=lambda o: o.rule),
        details={
            "rules": per_rule,
            "range": {"base": inp.changes.base, "head": inp.changes.head},
            "notes": list(inp.notes),
        },
    )
