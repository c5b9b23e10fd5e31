"""Golden pages: each case folder holds its run folders and the expected Markdown and HTML.

``UPDATE_GOLDEN=1 pytest tests/summary`` rewrites the expected files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_page_equals_golden(cli: Any, case: str, tmp_path: Path) -> None:
    folder = GOLDEN / case
    runs = sorted(str(p.relative_to(folder)) for p in (folder / "runs").iterdir() if p.is_dir())
    out_md, out_html = tmp_path / "summary.md", tmp_path / "summary.html"
    res = cli("summary", "--run", *runs, "--out", str(out_md), "--html", str(out_html), cwd=folder)
    assert res.code == (2 if case == "broken" else 0), res.err
    # links are relative to the output file; make them relative to the case folder for the golden
    rel = os.path.relpath(folder, tmp_path)
    page = out_md.read_text(encoding="utf-8").replace(f"]({rel}/", "](")
    html = out_html.read_text(encoding="utf-8").replace(f'href="{rel}/', 'href="')
    for name, text in (("expected.md", page), ("expected.html", html)):
        expected = folder / name
        if os.environ.get("UPDATE_GOLDEN"):
            expected.write_text(text, encoding="utf-8")
        assert text == expected.read_text(encoding="utf-8"), (
            f"{case}/{name} differs (UPDATE_GOLDEN=1 to refresh)"
        )


def test_same_results_render_identically(cli: Any, tmp_path: Path) -> None:
    folder = GOLDEN / "shards"
    first = cli("summary", "--run", "runs/shard-2", "runs/shard-1", cwd=folder)
    second = cli("summary", "--run", "runs/shard-1", "runs/shard-2", cwd=folder)
    assert first.code == second.code == 0
    assert first.out == second.out
    assert "## unit-tests — ⚠️ warn" in first.out
    assert "### unit-tests in `shard-2`" in first.out
    assert "tests/test_pay.py::test_retry" in first.out
    assert first.out.count("tests/test_pay.py::test_retry") == 1


def test_broken_files_are_named_and_the_rest_renders(cli: Any) -> None:
    res = cli("summary", "--run", "runs/run-b", cwd=GOLDEN / "broken")
    assert res.code == 2
    assert "run-b/typecheck.json" in res.err
    assert "## ⛔ Broken inputs" in res.out
    assert "`run-b/future.json`: result has schema_version 7, newer" in res.out
    assert "## lint — ✅ pass" in res.out
    assert res.out.startswith("# maestro-ci: ⛔ error — blocked")
