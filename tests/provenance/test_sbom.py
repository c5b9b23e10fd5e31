from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from maestro_ci.jobs.sbom_diff import component_key, diff


def _bom(*components: dict[str, Any]) -> dict[str, Any]:
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": list(components)}


def _c(name: str, version: str, lic: str | None = None, expr: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "version": version, "purl": f"pkg:pypi/{name.lower()}@{version}"}
    if lic:
        item["licenses"] = [{"license": {"id": lic}}]
    if expr:
        item["licenses"] = [{"expression": expr}]
    return item


def test_diff_lists_added_removed_changed_and_licence_changes() -> None:
    old = _bom(
        _c("requests", "2.31.0", "Apache-2.0"), _c("urllib3", "1.26.0", "MIT"), _c("six", "1.0", "MIT")
    )
    new = _bom(
        _c("requests", "2.32.0", "Apache-2.0"),
        _c("idna", "3.7", "BSD-3-Clause"),
        _c("six", "1.0", expr="MIT OR GPL-2.0"),
    )
    result = diff(old, new, [])
    assert result.status == "warn"
    assert result.details["added"] == [{"name": "idna", "version": "3.7", "licenses": ["BSD-3-Clause"]}]
    assert result.details["removed"] == [{"name": "urllib3", "version": "1.26.0", "licenses": ["MIT"]}]
    assert result.details["changed"] == [{"name": "requests", "old": "2.31.0", "new": "2.32.0"}]
    assert result.details["licence_changes"] == [{"name": "six", "old": ["MIT"], "new": ["MIT OR GPL-2.0"]}]
    assert result.metrics["added"] == 1 and result.metrics["licence_changes"] == 1
    assert {r.code for r in result.reasons} == {
        "sbom.added",
        "sbom.removed",
        "sbom.changed",
        "sbom.licence-changed",
    }


def test_no_drift_passes_and_many_changes_are_capped() -> None:
    same = _bom(_c("a", "1"))
    assert diff(same, same, []).status == "pass"
    big = _bom(*[_c(f"p{i}", "1") for i in range(300)])
    result = diff(_bom(), big, [])
    assert len(result.reasons) == 100
    assert result.reasons[-1].message == "and 201 more changes"
    assert len(result.details["added"]) == 300


def test_component_identity() -> None:
    assert component_key({"name": "X", "purl": "pkg:pypi/x@1.0?a=b"}) == "pkg:pypi/x"
    assert component_key({"name": "X", "group": "org"}) == "org/x"
    assert component_key({"name": "X"}) == "x"


def test_sbom_from_requirements_through_cyclonedx(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.31.0\nidna==3.7\n")
    res = cli("sbom", "--requirements", "requirements.txt", "--out", "sbom.cdx.json", cwd=tmp_path)
    assert res.code == 0, res.err
    data = json.loads((tmp_path / "sbom.cdx.json").read_text())
    assert data["bomFormat"] == "CycloneDX"
    assert sorted(c["name"] for c in data["components"]) == ["idna", "requests"]
    assert "serialNumber" not in data  # reproducible output


def test_sbom_of_an_environment_goes_to_the_run_folder(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import venv

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    monkeypatch.setenv("MAESTRO_RUN_ID", "r9")
    res = cli("sbom", "--environment", str(env_dir), cwd=tmp_path)
    assert res.code == 0, res.err
    out = tmp_path / ".maestro" / "runs" / "r9" / "provenance.sbom.cdx.json"
    assert json.loads(out.read_text())["bomFormat"] == "CycloneDX"
    assert res.out.strip().endswith("provenance.sbom.cdx.json")


def test_sbom_bad_inputs_exit_2(cli: Any, tmp_path: Path) -> None:
    missing = cli("sbom", "--requirements", "nope.txt", cwd=tmp_path)
    assert missing.code == 2 and "nope.txt" in missing.err
    gone = cli("sbom", "--environment", "no-env", cwd=tmp_path)
    assert gone.code == 2 and "no-env" in gone.err
    (tmp_path / "not-python").write_text("x")
    refused = cli("sbom", "--environment", "not-python", cwd=tmp_path)
    assert refused.code == 2 and "cyclonedx-py environment failed" in refused.err
    folder = cli("sbom", "--requirements", ".", cwd=tmp_path)
    assert folder.code == 2 and "folder" in folder.err
    (tmp_path / "a.json").write_text('{"bomFormat": "SPDX"}')
    (tmp_path / "b.json").write_text(json.dumps(_bom(_c("a", "1"))))
    wrong = cli("sbom", "diff", "a.json", "b.json", cwd=tmp_path)
    assert wrong.code == 2 and "a.json" in wrong.err and "CycloneDX" in wrong.err
    (tmp_path / "c.json").write_text(json.dumps({"bomFormat": "CycloneDX", "components": [{"version": "1"}]}))
    noname = cli("sbom", "diff", "b.json", "c.json", cwd=tmp_path)
    assert noname.code == 2 and "$.components[0]" in noname.err


def test_sbom_diff_is_a_recorded_gate_result(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAESTRO_RUN_ID", "r2")
    (tmp_path / "a.json").write_text(json.dumps(_bom(_c("a", "1", "MIT"))))
    (tmp_path / "b.json").write_text(json.dumps(_bom(_c("a", "2", "MIT"))))
    res = cli("sbom", "diff", "a.json", "b.json", "--format", "json", cwd=tmp_path)
    assert res.code == 0
    doc = json.loads(res.out)
    assert doc["gate"] == "sbom-diff" and doc["status"] == "warn"
    assert [i["path"] for i in doc["inputs"]] == ["a.json", "b.json"]
    assert (tmp_path / ".maestro" / "runs" / "r2" / "sbom-diff.json").is_file()
    assert sys.executable  # the CycloneDX tool runs under this interpreter
