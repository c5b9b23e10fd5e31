from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from maestro_ci.sources.statement_schema import schema_problems
from tests.provenance.helpers import fail_result, read, record

ROOT = Path(__file__).resolve().parents[2]


def _setup(git_repo: Any) -> tuple[Path, Path]:
    git_repo.commit("init", {"requirements.txt": "requests==2.31.0\n", "src/a.py": "x = 1\n"})
    run_dir = git_repo.path / ".maestro" / "runs" / "r1"
    record(run_dir, fail_result("policy", 2, inputs=[{"path": "policy/rules.yml", "sha256": "a" * 64}]))
    record(run_dir, {"gate": "evals", "status": "pass", "score": 0.9, "threshold": 0.8})
    wheel = git_repo.write("dist/pkg-1.0-py3-none-any.whl", b"PK\x03\x04wheel bytes")
    return run_dir, wheel


def test_local_statement_has_every_field_and_validates(cli: Any, git_repo: Any) -> None:
    run_dir, _ = _setup(git_repo)
    res = cli(
        "provenance", "--subject", "dist/pkg-1.0-py3-none-any.whl", "--run", str(run_dir), cwd=git_repo.path
    )
    assert res.code == 0, res.err
    doc = read(run_dir / "provenance.intoto.json")
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["predicateType"] == "https://slsa.dev/provenance/v1"
    assert doc["subject"][0]["name"] == "dist/pkg-1.0-py3-none-any.whl"
    assert schema_problems(doc, "in-toto-statement-v1") == []
    assert schema_problems(doc["predicate"], "slsa-provenance-v1") == []
    build = doc["predicate"]["buildDefinition"]
    deps = {d["name"]: d for d in build["resolvedDependencies"]}
    assert deps["source"]["digest"]["gitCommit"] == git_repo.head()
    assert "requirements.txt" in deps
    assert build["externalParameters"]["workflow"]["ref"] == "refs/heads/main"
    details = doc["predicate"]["runDetails"]
    assert details["builder"]["id"] == "https://maestro-ci.dev/builders/local"
    assert details["metadata"]["invocationId"] == "urn:maestro-ci:run:r1"
    assert sorted(b["name"] for b in details["byproducts"]) == ["r1/evals.json", "r1/policy.json"]
    decisions = read(run_dir / "provenance.decisions.intoto.json")
    pred = decisions["predicate"]
    assert pred["verdict"] == "fail"
    assert [d["gate"] for d in pred["decisions"]] == ["evals", "policy"]
    assert pred["policy_rules"] == [{"path": "policy/rules.yml", "sha256": "a" * 64}]
    assert pred["decisions"][1]["reasons"][0]["fix"] == "fix 0"


def test_output_is_deterministic(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    outs = []
    for name in ("one.intoto.json", "two.intoto.json"):
        out = tmp_path / name
        res = cli(
            "provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out), cwd=git_repo.path
        )
        assert res.code == 0, res.err
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert (tmp_path / "one.decisions.intoto.json").is_file()


def test_github_actions_context(
    cli: Any, git_repo: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run_dir, wheel = _setup(git_repo)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"level": "high"}}))
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_WORKFLOW_REF": "acme/shop/.github/workflows/ci.yml@refs/heads/main",
        "GITHUB_RUN_ID": "42",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_EVENT_NAME": "workflow_dispatch",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SHA": git_repo.head(),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "p.intoto.json"
    res = cli(
        "provenance",
        "--subject",
        str(wheel),
        "--run",
        str(run_dir),
        "--out",
        str(out),
        "--predicate-out",
        str(tmp_path / "predicate.json"),
        cwd=git_repo.path,
    )
    assert res.code == 0, res.err
    pred = read(out)["predicate"]
    ext = pred["buildDefinition"]["externalParameters"]
    assert ext["workflow"] == {
        "ref": "refs/heads/main",
        "repository": "https://github.com/acme/shop",
        "path": ".github/workflows/ci.yml",
    }
    assert ext["inputs"] == {"level": "high"}
    assert pred["buildDefinition"]["buildType"] == "https://actions.github.io/buildtypes/workflow/v1"
    assert pred["runDetails"]["builder"]["id"] == (
        "https://github.com/acme/shop/.github/workflows/ci.yml@refs/heads/main"
    )
    assert (
        pred["runDetails"]["metadata"]["invocationId"]
        == "https://github.com/acme/shop/actions/runs/42/attempts/2"
    )
    assert read(tmp_path / "predicate.json") == pred


def test_statement_is_masked(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    git_repo.write(".maestro.yml", "version: 1\nmask:\n  patterns: ['hush-[0-9]+']\n")
    record(
        run_dir,
        {
            "gate": "risk",
            "status": "warn",
            "summary": "token hush-1234 seen",
            "reasons": [{"code": "x", "message": "hush-1234", "severity": "warn"}],
        },
    )
    out = tmp_path / "p.intoto.json"
    res = cli(
        "provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out), cwd=git_repo.path
    )
    assert res.code == 0, res.err
    text = (tmp_path / "p.decisions.intoto.json").read_text()
    assert "hush-1234" not in text
    assert "***MASKED***" in text


def test_verify_passes_then_names_the_changed_subject(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    other = git_repo.write("dist/pkg-1.0.tar.gz", b"tarball")
    out = tmp_path / "p.intoto.json"
    assert (
        cli(
            "provenance",
            "--subject",
            str(wheel),
            str(other),
            "--run",
            str(run_dir),
            "--out",
            str(out),
            cwd=git_repo.path,
        ).code
        == 0
    )
    ok = cli(
        "provenance", "verify", str(out), "--subject", "dist/pkg-1.0-py3-none-any.whl", cwd=git_repo.path
    )
    assert ok.code == 0, ok.out + ok.err
    assert cli("provenance", "verify", str(out), cwd=git_repo.path).code == 0
    other.write_bytes(b"tampered")
    bad = cli("provenance", "verify", str(out), cwd=git_repo.path)
    assert bad.code == 1
    assert "dist/pkg-1.0.tar.gz" in bad.out and "does not match" in bad.out
    other.unlink()
    gone = cli("provenance", "verify", str(out), "--format", "json", cwd=git_repo.path)
    assert gone.code == 1
    assert json.loads(gone.out)["reasons"][0]["code"] == "provenance.missing-subject"
    stranger = git_repo.write("dist/other.whl", b"x")
    unknown = cli("provenance", "verify", str(out), "--subject", str(stranger), cwd=git_repo.path)
    assert unknown.code == 1 and "not in the statement" in unknown.out


def test_verify_matches_by_file_name_from_another_folder(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    out = tmp_path / "p.intoto.json"
    assert (
        cli(
            "provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out), cwd=git_repo.path
        ).code
        == 0
    )
    copy = tmp_path / "download" / wheel.name
    copy.parent.mkdir()
    copy.write_bytes(wheel.read_bytes())
    assert cli("provenance", "verify", str(out), "--subject", str(copy), cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["subject"][0]["digest"].update(sha256="zz"), "not a valid in-toto statement"),
        (lambda d: d.update(_type="https://in-toto.io/Statement/v0.1"), "not a valid in-toto statement"),
        (lambda d: d["predicate"].pop("runDetails"), "runDetails"),
        (lambda d: d["subject"][0].update(digest={"sha512": "ab" * 64}), "no sha256"),
    ],
)
def test_bad_statements_exit_2(cli: Any, git_repo: Any, tmp_path: Path, mutate: Any, message: str) -> None:
    run_dir, wheel = _setup(git_repo)
    out = tmp_path / "p.intoto.json"
    assert (
        cli(
            "provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out), cwd=git_repo.path
        ).code
        == 0
    )
    doc = read(out)
    mutate(doc)
    out.write_text(json.dumps(doc))
    res = cli("provenance", "verify", str(out), "--subject", str(wheel), cwd=git_repo.path)
    assert res.code == 2
    assert message in res.err
    assert "Traceback" not in res.err


def test_bad_subjects_and_runs_exit_2(cli: Any, git_repo: Any) -> None:
    run_dir, _ = _setup(git_repo)
    missing = cli("provenance", "--subject", "dist/nope.whl", "--run", str(run_dir), cwd=git_repo.path)
    assert missing.code == 2 and "dist/nope.whl" in missing.err
    folder = cli("provenance", "--subject", "dist", "--run", str(run_dir), cwd=git_repo.path)
    assert folder.code == 2 and "directory" in folder.err
    assert cli("provenance", "--run", str(run_dir), cwd=git_repo.path).code == 2
    no_run = cli("provenance", "--subject", "src/a.py", "--run", "nowhere", cwd=git_repo.path)
    assert no_run.code == 2 and "run folder not found" in no_run.err
    assert not (run_dir / "provenance.intoto.json").exists()


def test_broken_and_newer_results_stop_unless_allowed(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    (run_dir / "risk.json").write_text("{not json")
    newer = read(run_dir / "evals.json") | {"schema_version": 99}
    (run_dir / "future.json").write_text(json.dumps(newer))
    out = tmp_path / "p.intoto.json"
    argv = ["provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out)]
    stopped = cli(*argv, cwd=git_repo.path)
    assert stopped.code == 2
    assert "r1/future.json" in stopped.err and "newer" in stopped.err and "--allow-broken" in stopped.err
    assert not out.exists()
    res = cli(*argv, "--allow-broken", cwd=git_repo.path)
    assert res.code == 0
    assert "r1/risk.json" in res.err
    pred = read(tmp_path / "p.decisions.intoto.json")["predicate"]
    assert set(pred["broken"]) == {"r1/risk.json", "r1/future.json"}
    assert "newer" in pred["broken"]["r1/future.json"]
    assert pred["verdict"] == "error"


def test_no_run_folder_records_no_results(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    git_repo.commit("init", {"a.txt": "a"})
    res = cli("provenance", "--subject", "a.txt", "--out", str(tmp_path / "p.intoto.json"), cwd=git_repo.path)
    assert res.code == 0 and "no gate results" in res.err
    pred = read(tmp_path / "p.decisions.intoto.json")["predicate"]
    assert pred["decisions"] == [] and pred["verdict"] == "pass"


def test_sbom_in_run_folder_is_a_dependency(cli: Any, git_repo: Any, tmp_path: Path) -> None:
    run_dir, wheel = _setup(git_repo)
    (run_dir / "provenance.sbom.cdx.json").write_text('{"bomFormat": "CycloneDX", "components": []}')
    extra = tmp_path / "extra.cdx.json"
    extra.write_text('{"bomFormat": "CycloneDX"}')
    out = tmp_path / "p.intoto.json"
    res = cli(
        "provenance",
        "--subject",
        str(wheel),
        "--run",
        str(run_dir),
        "--out",
        str(out),
        "--sbom",
        str(extra),
        cwd=git_repo.path,
    )
    assert res.code == 0, res.err
    deps = read(out)["predicate"]["buildDefinition"]["resolvedDependencies"]
    media = {d["name"]: d.get("mediaType") for d in deps}
    assert media["r1/provenance.sbom.cdx.json"] == "application/vnd.cyclonedx+json"
    assert media[str(extra)] == "application/vnd.cyclonedx+json"


def test_packaged_schemas_equal_the_repository_copies() -> None:
    for path in (ROOT / "maestro_ci" / "schemas").glob("*.schema.json"):
        assert (ROOT / "schemas" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_mask_that_breaks_the_statement_is_named(
    cli: Any, git_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir, wheel = _setup(git_repo)
    monkeypatch.setenv("MAESTRO_MASK_REGEXES", "[0-9a-f]{64}")
    out = tmp_path / "p.intoto.json"
    res = cli(
        "provenance", "--subject", str(wheel), "--run", str(run_dir), "--out", str(out), cwd=git_repo.path
    )
    assert res.code == 2
    assert "mask pattern" in res.err
    assert not out.exists()
