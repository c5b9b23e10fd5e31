from __future__ import annotations

import json
from pathlib import Path

from maestro_ci.validators import detect_kind


def test_detect_kind() -> None:
    assert detect_kind(Path(".maestro.yml")) == "config"
    assert detect_kind(Path("policy/rules.yaml")) == "policy"
    assert detect_kind(Path("evals/fix.yaml")) == "eval"
    assert detect_kind(Path("deploy/canary-gate.yml")) == "health"
    assert detect_kind(Path("README.md")) is None
    assert detect_kind(Path("misc/other.yml")) is None


def test_validate_good_and_bad_config(cli, tmp_path: Path) -> None:
    good = tmp_path / ".maestro.yml"
    good.write_text("run:\n  keep: 3\n", encoding="utf-8")
    res = cli("validate", str(good), "--no-record", "-C", str(tmp_path))
    assert res.code == 0, res.err
    assert "1 file(s) valid" in res.out
    good.write_text("run:\n  keep: 3\n  dri: x\n", encoding="utf-8")
    res = cli("validate", ".maestro.yml", "--no-record", "-C", str(tmp_path))
    assert res.code == 2
    assert ".maestro.yml:3: at $.run.dri: unknown key 'dri', did you mean 'dir'?" in res.err
    assert "Traceback" not in res.err
    res = cli("validate", ".maestro.yml", "--no-record", "--format", "json", "-C", str(tmp_path))
    data = json.loads(res.out)
    assert data["status"] == "fail"
    assert data["reasons"][0]["location"] == {
        "file": ".maestro.yml",
        "line": 3,
        "column": None,
        "end_line": None,
    }


def test_validate_discovers_and_reports_unknown_kind(cli, tmp_path: Path) -> None:
    res = cli("validate", "--no-record", "-C", str(tmp_path))
    assert res.code == 0
    assert "nothing to validate" in res.out
    other = tmp_path / "x.yml"
    other.write_text("a: 1\n", encoding="utf-8")
    res = cli("validate", str(other), "--no-record", "-C", str(tmp_path))
    assert res.code == 2
    assert "--kind" in res.err
    assert cli("validate", str(other), "--kind", "config", "--no-record", "-C", str(tmp_path)).code == 2
