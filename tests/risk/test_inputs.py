"""Coverage, SARIF and ruff inputs: good files change the signals, bad ones exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import GitRepo
from tests.risk.conftest import risk_json, signal


def coverage_json(files: dict[str, tuple[list[int], list[int]]]) -> str:
    return json.dumps(
        {
            "meta": {"format": 3, "version": "7.4"},
            "files": {
                name: {"executed_lines": ex, "missing_lines": miss, "excluded_lines": []}
                for name, (ex, miss) in files.items()
            },
            "totals": {},
        }
    )


def test_coverage_json_drop_and_diff_coverage(cli, shop: GitRepo, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    head = tmp_path / "head.json"
    base.write_text(coverage_json({"pkg/core.py": ([1, 2], []), "pkg/api.py": ([1, 4, 5], [])}))
    # head: lines 2-6 of core changed; 3 and 5 executed, 4 and 6 missed
    head.write_text(coverage_json({"pkg/core.py": ([1, 2, 3, 5], [4, 6]), "pkg/api.py": ([1, 4, 5], [])}))
    _, result = risk_json(cli, shop, "--coverage-base", str(base), "--coverage-head", str(head))
    cov = signal(result, "coverage_drop")
    # total 100% -> 7/9, but the changed lines are covered at 60%: the larger drop (0.4) counts
    assert result["details"]["coverage_head"] == pytest.approx(7 / 9)
    assert result["details"]["diff_coverage"] == pytest.approx(0.6)
    assert cov["raw"] == pytest.approx(0.4)
    assert "covers 60% of the changed lines (total coverage of base: 100.0%)" in cov["words"]
    assert {i["path"] for i in result["inputs"]} == {str(base), str(head)}


def test_total_coverage_drop_when_changed_lines_are_covered(cli, shop: GitRepo, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    head = tmp_path / "head.json"
    base.write_text(coverage_json({"pkg/core.py": ([1, 2], []), "pkg/api.py": ([1, 4, 5], [])}))
    head.write_text(coverage_json({"pkg/core.py": ([1, 2, 3, 4, 5, 6], []), "pkg/api.py": ([1], [4, 5])}))
    _, result = risk_json(cli, shop, "--coverage-base", str(base), "--coverage-head", str(head))
    cov = signal(result, "coverage_drop")
    assert cov["raw"] == pytest.approx(round(1 - 7 / 9, 4))
    assert "lowers total coverage from 100.0% to 77.8%" in cov["words"]
    same = tmp_path / "same.json"
    same.write_text(coverage_json({"pkg/core.py": ([1, 2, 3, 4, 5, 6], []), "pkg/api.py": ([1, 4, 5], [])}))
    _, result = risk_json(cli, shop, "--coverage-base", str(base), "--coverage-head", str(same))
    assert signal(result, "coverage_drop")["raw"] == 0
    assert (
        "keeps total coverage at 100.0%; covers 100% of the changed lines"
        in signal(result, "coverage_drop")["words"]
    )


def test_coverage_xml_and_data_file(cli, shop: GitRepo, tmp_path: Path) -> None:
    from coverage import CoverageData

    xml = tmp_path / "coverage.xml"
    xml.write_text(
        '<?xml version="1.0"?><coverage version="7.4"><sources><source>/ci/checkout</source></sources>'
        '<packages><package name="pkg"><classes><class name="core.py" filename="pkg/core.py">'
        '<lines><line number="1" hits="1"/><line number="2" hits="1"/></lines></class></classes>'
        "</package></packages></coverage>"
    )
    data = CoverageData(basename=str(tmp_path / ".coverage"))
    data.add_lines({str(shop.path / "pkg" / "core.py"): [1, 2]})
    data.write()
    _, result = risk_json(
        cli, shop, "--coverage-base", str(xml), "--coverage-head", str(tmp_path / ".coverage")
    )
    cov = signal(result, "coverage_drop")
    assert cov["measured"]
    # head core.py has 6 statements (coverage's parser), 2 executed: 100% -> 33%
    assert result["details"]["coverage_head"] == pytest.approx(2 / 6, abs=1e-3)
    assert cov["normalised"] == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hello, world\n", "not a coverage file"),
        ('{"runs": []}', "not a coverage.py JSON report"),
        ("<testsuite/>", "not <coverage>"),
        ("{broken", "invalid JSON"),
    ],
)
def test_wrong_format_coverage_is_exit_2(cli, shop: GitRepo, tmp_path: Path, content, message) -> None:
    bad = tmp_path / "bad.cov"
    bad.write_text(content)
    res = cli(
        "risk",
        "--base",
        "base",
        "--coverage-base",
        str(bad),
        "--coverage-head",
        str(bad),
        "--no-record",
        cwd=shop.path,
    )
    assert res.code == 2 and message in res.err and "bad.cov" in res.err


def test_foreign_coverage_detected_by_paths(cli, shop: GitRepo, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(coverage_json({"/home/x/otherproj/lib/thing.py": ([1], [2])}))
    res = cli(
        "risk",
        "--base",
        "base",
        "--coverage-base",
        str(other),
        "--coverage-head",
        str(other),
        "--no-record",
        cwd=shop.path,
    )
    assert res.code == 2 and "another project" in res.err and "thing.py" in res.err


def test_coverage_needs_both_sides(cli, shop: GitRepo, tmp_path: Path) -> None:
    res = cli("risk", "--base", "base", "--coverage-head", "x.json", "--no-record", cwd=shop.path)
    assert res.code == 2 and "both" in res.err


def sarif(results: list[dict]) -> str:
    return json.dumps(
        {
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{"tool": {"driver": {"name": "lint"}}, "results": results}],
        }
    )


def finding(uri: str, line: int, rule: str = "R1") -> dict:
    return {
        "ruleId": rule,
        "message": {"text": "bad"},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}
        ],
    }


def test_sarif_and_ruff_alerts_on_changed_lines(cli, shop: GitRepo, tmp_path: Path) -> None:
    s = tmp_path / "a.sarif"
    s.write_text(sarif([finding("pkg/core.py", 3), finding("pkg/core.py", 1), finding("pkg/api.py", 2)]))
    r = tmp_path / "ruff.json"
    r.write_text(
        json.dumps(
            [
                {
                    "code": "F401",
                    "message": "unused",
                    "filename": str(shop.path / "pkg" / "core.py"),
                    "location": {"row": 4, "column": 1},
                    "end_location": {"row": 4, "column": 5},
                }
            ]
        )
    )
    _, result = risk_json(cli, shop, "--sarif", str(s), "--ruff-json", str(r))
    alerts = signal(result, "static_alerts")
    assert alerts["raw"] == 2  # core.py lines 3 and 4 changed; line 1 and api.py did not
    assert "F401" in alerts["words"] and "R1" in alerts["words"]


def test_invalid_sarif_is_exit_2(cli, shop: GitRepo, tmp_path: Path) -> None:
    s = tmp_path / "bad.sarif"
    s.write_text(json.dumps({"version": "2.1.0", "runs": [{"results": []}]}))
    res = cli("risk", "--base", "base", "--sarif", str(s), "--no-record", cwd=shop.path)
    assert res.code == 2 and "not a valid SARIF 2.1.0 file" in res.err and "tool" in res.err


def test_invalid_ruff_json_is_exit_2(cli, shop: GitRepo, tmp_path: Path) -> None:
    r = tmp_path / "ruff.json"
    r.write_text(json.dumps([{"code": "F401"}]))
    res = cli("risk", "--base", "base", "--ruff-json", str(r), "--no-record", cwd=shop.path)
    assert res.code == 2 and "not ruff JSON output" in res.err
    r.write_text(json.dumps({"x": 1}))
    assert cli("risk", "--base", "base", "--ruff-json", str(r), "--no-record", cwd=shop.path).code == 2
