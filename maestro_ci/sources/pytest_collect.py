"""Collect node ids the way the pytest plugin sees them: ``pytest --collect-only -q``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from maestro_ci.errors import InputError, SourceUnavailable


def collect_node_ids(cwd: Path, extra: list[str] | None = None, python: str | None = None) -> list[str]:
    """Node ids pytest collects in ``cwd`` (sorted); raises when collection fails."""
    argv = [
        python or sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:randomly",
        *(extra or []),
    ]
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceUnavailable(
            f"could not run pytest to collect tests: {exc}", fix="check that pytest is installed"
        ) from exc
    if proc.returncode not in (0, 5):
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        raise InputError(
            "pytest --collect-only failed: " + " | ".join(tail),
            file=str(cwd),
            fix="fix the collection errors (run pytest --collect-only yourself), or pass --tests FILE",
        )
    return sorted(
        {line.strip() for line in proc.stdout.splitlines() if "::" in line and not line.startswith(" ")}
    )


def read_test_list(path: Path) -> list[str]:
    """A file of node ids, one per line; blank lines and '#' comments ignored."""
    from maestro_ci.sources.store import read_text

    lines = [line.strip() for line in read_text(path, "test list").splitlines()]
    tests = [line for line in lines if line and not line.startswith("#")]
    if not tests:
        raise InputError("test list is empty", file=str(path), fix="write one pytest node id per line")
    return sorted(set(tests))
