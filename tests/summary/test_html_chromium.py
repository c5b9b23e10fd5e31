"""The HTML page in a real headless Chromium: sections and charts are in the rendered DOM."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent / "golden"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("MAESTRO_REQUIRE_REAL_COMPONENTS"):
        pytest.fail("chromium is required (MAESTRO_REQUIRE_REAL_COMPONENTS is set) but not installed")
    pytest.skip("chromium not installed")


@pytest.mark.chromium
def test_html_renders_in_headless_chromium(cli: Any, tmp_path: Path) -> None:
    binary = _chromium()
    folder = GOLDEN / "basic"
    html = tmp_path / "summary.html"
    res = cli(
        "summary", "--run", "runs/run-1", "--out", str(tmp_path / "s.md"), "--html", str(html), cwd=folder
    )
    assert res.code == 0, res.err
    proc = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    for gate in ("lint", "sbom-diff", "typecheck", "unit-tests"):
        assert f'<h2 id="{gate}">' in dom, gate
    assert '<pre class="mermaid">pie showData title Gate results' in dom
    assert "<details><summary>14 reasons</summary>" in dom
    assert "<td>Incompatible &lt;types&gt; in assignment #0</td>" in dom
