"""Provenance: the in-toto statements (SLSA provenance v1, and our decisions) for a run.

Pure: the front end gathers the digests, the git state, the CI context and the
run's results; this module turns them into two statements as plain JSON-able
dicts, in a stable order, so the same inputs always give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maestro_ci.models import CIContext, InputFile, Status
from maestro_ci.provenance_models import (
    DECISIONS_PREDICATE_TYPE,
    GITHUB_BUILD_TYPE,
    JSON_MEDIA,
    LOCAL_BUILD_TYPE,
    LOCAL_BUILDER_ID,
    SLSA_PREDICATE_TYPE,
    STATEMENT_TYPE,
    Artifact,
    DecisionsPredicate,
    GateDecision,
    RecordedResult,
)


@dataclass(frozen=True)
class BuildContext:
    """Everything the statements say about the build, gathered by the front end."""

    ci: CIContext
    tool_version: str
    run_id: str
    started_on: str
    finished_on: str
    commit: str = ""
    branch: str | None = None
    remote_url: str | None = None
    dirty: bool = False
    workflow_inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[Artifact] = field(default_factory=list)
    results: list[RecordedResult] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)


def _descriptor(art: Artifact, **annotations: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": art.name, "digest": {"sha256": art.sha256}}
    if art.media_type:
        out["mediaType"] = art.media_type
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def _server(ci: CIContext) -> str:
    marker = f"/{ci.repository}/actions/"
    if ci.run_url and marker in ci.run_url:
        return ci.run_url.split(marker, 1)[0]
    return "https://github.com"


def _workflow(ctx: BuildContext) -> dict[str, str]:
    ci = ctx.ci
    if ci.provider == "github-actions":
        where, _, ref = ci.workflow_ref.partition("@")
        prefix = f"{ci.repository}/"
        path = where[len(prefix) :] if where.startswith(prefix) else where
        return {
            "ref": ref or ci.ref,
            "repository": f"{_server(ci)}/{ci.repository}" if ci.repository else "",
            "path": path,
        }
    ref = f"refs/heads/{ctx.branch}" if ctx.branch else ctx.commit
    return {"ref": ci.ref or ref, "repository": ci.repository or ctx.remote_url or "", "path": ""}


def builder_id(ctx: BuildContext) -> str:
    ci = ctx.ci
    if ci.provider == "github-actions" and ci.workflow_ref:
        return f"{_server(ci)}/{ci.workflow_ref}"
    if ci.provider not in ("local", "github-actions"):
        return f"{LOCAL_BUILDER_ID.rsplit('/', 1)[0]}/{ci.provider}"
    return LOCAL_BUILDER_ID


def invocation_id(ctx: BuildContext) -> str:
    ci = ctx.ci
    if ci.run_url:
        return f"{ci.run_url}/attempts/{ci.run_attempt}" if ci.run_attempt else ci.run_url
    return f"urn:maestro-ci:run:{ctx.run_id}"


def _source(ctx: BuildContext) -> dict[str, Any] | None:
    wf = _workflow(ctx)
    repo = wf["repository"]
    out: dict[str, Any] = {}
    if repo:
        out["uri"] = f"git+{repo}@{wf['ref']}" if wf["ref"] else f"git+{repo}"
    if len(ctx.commit) == 40:
        out["digest"] = {"gitCommit": ctx.commit}
    if not out:
        return None
    out["name"] = "source"
    return out


def slsa_predicate(ctx: BuildContext) -> dict[str, Any]:
    ci = ctx.ci
    github = ci.provider == "github-actions"
    internal: dict[str, Any] = {
        "maestro": {"dirty": ctx.dirty, "run_id": ctx.run_id, "tool_version": ctx.tool_version}
    }
    if github:
        internal["github"] = {"event_name": ci.event_name, "sha": ci.sha, "actor": ci.actor}
    elif ci.provider != "local":
        internal[ci.provider] = {"run_id": ci.run_id, "sha": ci.sha}
    deps: list[dict[str, Any]] = []
    if (source := _source(ctx)) is not None:
        deps.append(source)
    deps.extend(_descriptor(a) for a in sorted(ctx.dependencies, key=lambda a: a.name))
    byproducts = [
        _descriptor(Artifact(r.file, r.sha256, JSON_MEDIA), gate=r.result.gate, status=str(r.result.status))
        for r in sorted(ctx.results, key=lambda r: r.file)
    ]
    return {
        "buildDefinition": {
            "buildType": GITHUB_BUILD_TYPE if github else LOCAL_BUILD_TYPE,
            "externalParameters": {
                "workflow": _workflow(ctx),
                "inputs": dict(sorted(ctx.workflow_inputs.items())),
            },
            "internalParameters": internal,
            "resolvedDependencies": deps,
        },
        "runDetails": {
            "builder": {"id": builder_id(ctx), "version": {"maestro-ci": ctx.tool_version}},
            "metadata": {
                "invocationId": invocation_id(ctx),
                "startedOn": ctx.started_on,
                "finishedOn": ctx.finished_on,
            },
            "byproducts": byproducts,
        },
    }


def decisions_predicate(ctx: BuildContext) -> DecisionsPredicate:
    decisions = [
        GateDecision(
            gate=r.result.gate,
            result_file=r.file,
            result_sha256=r.sha256,
            status=r.result.status,
            summary=r.result.summary,
            score=r.result.score,
            threshold=r.result.threshold,
            reasons=r.result.reasons,
            overrides=r.result.overrides,
            inputs=sorted(r.result.inputs, key=lambda i: i.path),
        )
        for r in sorted(ctx.results, key=lambda r: (r.result.gate, r.file))
    ]
    rules: dict[str, InputFile] = {}
    for r in ctx.results:
        if r.result.gate.split(":", 1)[0].startswith("policy"):
            for item in r.result.inputs:
                rules[f"{item.path}\0{item.sha256}"] = item
    verdict = Status.worst([d.status for d in decisions])
    if ctx.broken:
        verdict = Status.ERROR
    return DecisionsPredicate(
        tool_version=ctx.tool_version,
        verdict=verdict,
        commit=ctx.commit,
        invocation_id=invocation_id(ctx),
        decisions=decisions,
        policy_rules=[rules[k] for k in sorted(rules)],
        broken=dict(sorted(ctx.broken.items())),
    )


def statement(subjects: list[Artifact], predicate_type: str, predicate: dict[str, Any]) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": s.name, "digest": {"sha256": s.sha256}} for s in sorted(subjects, key=lambda s: s.name)
        ],
        "predicateType": predicate_type,
        "predicate": predicate,
    }


def build_statements(subjects: list[Artifact], ctx: BuildContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The SLSA provenance statement and the decisions statement for the same subjects."""
    slsa = statement(subjects, SLSA_PREDICATE_TYPE, slsa_predicate(ctx))
    ours = statement(
        subjects,
        DECISIONS_PREDICATE_TYPE,
        decisions_predicate(ctx).model_dump(mode="json", exclude_none=True),
    )
    return slsa, ours
