from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from maestro_ci.models import GateResult
from maestro_ci.render.mermaid_charts import bar, label, pie
from maestro_ci.render.summary_page import PAGE_LIMIT, RunView, cap, render_summary
from maestro_ci.render.summary_sections import Placed
from tests.provenance.helpers import fail_result, record


def _section_module(monkeypatch: pytest.MonkeyPatch, gate: str, render: Any) -> None:
    module = types.ModuleType(f"maestro_ci.render.sections.{gate}")
    module.render = render  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_section_modules_are_included_and_a_failing_one_is_contained(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "runs" / "r"
    record(run, {"gate": "zz-chart", "status": "pass", "details": {"shards": [3.0, 4.5]}})
    record(run, fail_result("zz-boom"))
    record(run, {"gate": "zz-after", "status": "pass", "summary": "still here"})
    _section_module(
        monkeypatch, "zz_chart", lambda r: bar("Shard time", ["1", "2"], r.details["shards"], "s")
    )

    def boom(result: GateResult) -> str:
        raise ValueError("renderer exploded")

    _section_module(monkeypatch, "zz_boom", boom)
    res = cli("summary", "--run", str(run), cwd=tmp_path)
    assert res.code == 0, res.err
    assert "```mermaid\nxychart-beta" in res.out
    assert "**Broken part**: the `zz-boom` section renderer failed (ValueError: renderer exploded)" in res.out
    assert "still here" in res.out
    assert "problem 0" in res.out


def test_page_stays_under_one_mebibyte_with_huge_input(monkeypatch: pytest.MonkeyPatch) -> None:
    tests = [f"tests/test_mod_{i // 100}.py::test_case_{i}" for i in range(100_000)]
    huge = GateResult.model_validate(
        fail_result("zz-huge", 10_000) | {"details": {"tests": tests, "flaky": tests[:5000]}}
    )
    _section_module(monkeypatch, "zz_huge", lambda r: "\n".join(f"- {t}" for t in r.details["tests"]) + "\n")
    others = [GateResult.model_validate(fail_result(f"gate-{i}", 200)) for i in range(30)]
    placed = [Placed("run", "huge.json", huge)] + [
        Placed("run", f"g{i}.json", r) for i, r in enumerate(others)
    ]
    view = RunView(
        "run", placed, {f"bad-{i}.json": "x" * 500 for i in range(50)}, [(p.file, p.file) for p in placed]
    )
    page = render_summary([view])
    assert len(page.encode()) <= PAGE_LIMIT
    assert "## zz-huge — ❌ fail" in page
    assert "## gate-29 — ❌ fail" in page
    assert "more reasons not shown" in page
    assert "and 4,950 more" in page  # flaky tests capped
    small = render_summary([view], budget=60_000)
    assert len(small.encode()) <= 60_000
    assert small.count("<details>") == small.count("</details>")
    assert small.count("```") % 2 == 0


def test_cap_cuts_at_a_line_and_closes_open_blocks() -> None:
    page = "# t\n<details><summary>x</summary>\n\n```mermaid\n" + "line\n" * 1000
    out = cap(page, 500)
    assert len(out.encode()) <= 500 + 40
    assert out.count("```") % 2 == 0 and "</details>" in out and "Page cut" in out
    assert cap("short\n", 500) == "short\n"


def test_mermaid_helpers_clean_labels() -> None:
    assert label('a"b\nc[d]') == "a b c d"
    assert label("x" * 50).endswith("…")
    assert pie("t", [("a", 0), ("b", -1)]) == ""
    assert '"ok" : 2' in pie("t", [("ok", 2), ("nan", float("nan"))])
    assert bar("t", [], []) == ""
    assert "y-axis 0 --> 1.1" in bar("t", ["a"], [1.0])


def test_step_summary_in_github_actions(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "runs" / "r"
    record(run, fail_result("typecheck"))
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = cli("summary", "--run", str(run), "--out", "page.md", "--exit-code", cwd=tmp_path)
    assert res.code == 1
    assert summary.read_text() == (tmp_path / "page.md").read_text()
    assert "## typecheck — ❌ fail" in summary.read_text()


def test_summary_masks_and_reports_bad_runs(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "runs" / "r"
    record(run, {"gate": "lint", "status": "pass", "summary": "key sk-live-abcdef123456"})
    monkeypatch.setenv("MAESTRO_MASK_REGEXES", "sk-live-[a-z0-9]+")
    res = cli("summary", "--run", str(run), "--html", "p.html", cwd=tmp_path)
    assert res.code == 0
    assert "sk-live" not in res.out and "sk-live" not in (tmp_path / "p.html").read_text()
    missing = cli("summary", "--run", "nowhere", cwd=tmp_path)
    assert missing.code == 2 and "nowhere" in missing.err
    json.dumps(res.out)


def test_html_keeps_only_harmless_tags() -> None:
    from maestro_ci.render.html import render_html

    page = render_html(
        "# t\n\n<details open><summary>s</summary>\n\n<script>alert(1)</script>\n\n</details>\n\n"
        'x <img src=x onerror="alert(1)"> y\n\n```mermaid\npie\n "a" : 1\n```\n\n```py\nx<1\n```\n',
        "T <b>",
        "https://cdn.example/mermaid.esm.min.mjs",
    )
    assert "<details open>" in page and "<summary>s</summary>" in page
    assert "<script>alert" not in page and "<img" not in page
    assert '<pre class="mermaid">pie\n &quot;a&quot; : 1\n</pre>' in page
    assert '<code class="language-py">x&lt;1' in page
    assert "<title>T &lt;b&gt;</title>" in page
    assert 'import mermaid from "https://cdn.example/mermaid.esm.min.mjs"' in page


def test_without_run_the_latest_run_folder_is_used(cli: Any, tmp_path: Path) -> None:
    import os

    old = tmp_path / ".maestro" / "runs" / "old"
    new = tmp_path / ".maestro" / "runs" / "new"
    record(old, {"gate": "lint", "status": "pass", "summary": "old run"})
    record(new, {"gate": "lint", "status": "pass", "summary": "new run"})
    os.utime(old, (1, 1))
    res = cli("summary", cwd=tmp_path)
    assert res.code == 0, res.err
    assert "new run" in res.out and "old run" not in res.out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("summary", cwd=empty).code == 2


def test_provenance_statements_in_the_run_are_listed(cli: Any, git_repo: Any) -> None:
    run = git_repo.path / ".maestro" / "runs" / "r"
    record(run, {"gate": "lint", "status": "pass"})
    git_repo.commit("init", {"a.txt": "a"})
    assert cli("provenance", "--subject", "a.txt", "--run", str(run), cwd=git_repo.path).code == 0
    (run / "junk.intoto.json").write_text("{")
    res = cli("summary", "--run", str(run), cwd=git_repo.path)
    assert res.code == 0, res.err
    assert "## Provenance" in res.out
    assert "| `r/provenance.intoto.json` | `https://slsa.dev/provenance/v1` | `a.txt` |" in res.out
    assert "decisions.intoto.json` | `https://maestro-ci.dev/decisions/v1`" in res.out
