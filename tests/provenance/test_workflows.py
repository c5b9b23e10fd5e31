"""Meta-tests over the project's workflows and the example workflows (actionlint runs at merge)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_workflow_is_pinned_and_least_privileged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert doc["permissions"] == {}, "permissions: {} at the top"
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"job {name} must state its permissions"
    for line in text.splitlines():
        if re.match(r"^\s*(-\s+)?uses:", line) and "uses: ./" not in line:
            assert PINNED.match(line), f"not pinned to a full SHA with a version comment: {line.strip()}"
        assert "${{ inputs." not in line or "run:" not in line


def test_ci_uses_the_action_on_itself() -> None:
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "uses: ./" in text
    for needed in ("--format github-matrix", "--shard ", "timings merge", "maestro-ci summary", "provenance"):
        assert needed in text
