from __future__ import annotations

from maestro_ci.jobs.provenance import BuildContext, build_statements, builder_id, invocation_id
from maestro_ci.models import CIContext, GateResult
from maestro_ci.provenance_models import Artifact, RecordedResult
from maestro_ci.sources.statement_schema import schema_problems


def _ctx(ci: CIContext, commit: str = "a" * 40, **kw: object) -> BuildContext:
    return BuildContext(
        ci=ci,
        tool_version="0.1.0",
        run_id="r",
        started_on="2026-01-01T00:00:00Z",
        finished_on="2026-01-01T00:01:00Z",
        commit=commit,
        **kw,
    )  # type: ignore[arg-type]


def test_other_ci_providers_get_their_own_builder() -> None:
    ci = CIContext(
        provider="gitlab",
        repository="g/p",
        run_id="9",
        run_url="https://gitlab.example/g/p/-/pipelines/9",
        ref="main",
        sha="b" * 40,
    )
    ctx = _ctx(ci)
    assert builder_id(ctx) == "https://maestro-ci.dev/builders/gitlab"
    assert invocation_id(ctx) == "https://gitlab.example/g/p/-/pipelines/9"
    slsa, ours = build_statements([Artifact("x", "c" * 64)], ctx)
    assert slsa["predicate"]["buildDefinition"]["internalParameters"]["gitlab"] == {
        "run_id": "9",
        "sha": "b" * 40,
    }
    assert schema_problems(slsa["predicate"], "slsa-provenance-v1") == []
    assert schema_problems(ours["predicate"], "maestro-decisions") == []


def test_without_git_or_remote_the_source_is_left_out() -> None:
    slsa, _ = build_statements([Artifact("x", "c" * 64)], _ctx(CIContext(), commit=""))
    assert slsa["predicate"]["buildDefinition"]["resolvedDependencies"] == []
    slsa, _ = build_statements(
        [Artifact("x", "c" * 64)],
        _ctx(CIContext(), commit="", branch="dev", remote_url="https://git.example/r.git"),
    )
    assert slsa["predicate"]["buildDefinition"]["resolvedDependencies"] == [
        {"name": "source", "uri": "git+https://git.example/r.git@refs/heads/dev"}
    ]


def test_subjects_and_results_are_sorted() -> None:
    results = [
        RecordedResult("r/b.json", "1" * 64, GateResult(gate="b", status="pass")),  # type: ignore[arg-type]
        RecordedResult("r/a.json", "2" * 64, GateResult(gate="a", status="pass")),  # type: ignore[arg-type]
    ]
    slsa, ours = build_statements(
        [Artifact("z", "c" * 64), Artifact("a", "d" * 64)], _ctx(CIContext(), results=results)
    )
    assert [s["name"] for s in slsa["subject"]] == ["a", "z"]
    assert [b["name"] for b in slsa["predicate"]["runDetails"]["byproducts"]] == ["r/a.json", "r/b.json"]
    assert [d["gate"] for d in ours["predicate"]["decisions"]] == ["a", "b"]
