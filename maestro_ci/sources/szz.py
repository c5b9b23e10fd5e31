"""SZZ: find the commits that introduced the lines a bug fix deleted or changed.

One ``git log --no-walk -p -U0`` process reads every fix's diff; for each file
a fix changed, one ``git blame -w`` of the fix's parent (limited to the deleted
lines, several in parallel) names the commits that last touched them. Blank
and comment-only lines are ignored, and so are documentation files.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from maestro_ci.sources.git import _git_env

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*|--|;)")
_BLAME = re.compile(r"^([0-9a-f]{40}) \d+ \d+")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc", ".html", ".json", ".lock", ".csv", ".svg", ".png")


def is_meaningful(text: str) -> bool:
    """A line that is not blank and not only a comment."""
    return bool(text.strip()) and not _COMMENT.match(text)


def deleted_lines(fixes: list[str], cwd: Path) -> dict[str, dict[str, list[int]]]:
    """Per fix commit, per file: line numbers (in the parent) that the fix deleted or changed."""
    if not fixes:
        return {}
    proc = subprocess.run(
        [
            "git",
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "-p",
            "-U0",
            "--no-renames",
            "--no-color",
            "--no-ext-diff",
            "--format=%x1e%H",
        ],
        cwd=cwd,
        input="\n".join(fixes).encode(),
        capture_output=True,
        check=False,
        env=_git_env(),
    )
    out: dict[str, dict[str, list[int]]] = {}
    for record in proc.stdout.decode("utf-8", "surrogateescape").split("\x1e"):
        if not record.strip():
            continue
        sha, _, diff = record.partition("\n")
        files: dict[str, list[int]] = {}
        path: str | None = None
        line_no = 0
        for line in diff.split("\n"):
            if line.startswith("--- "):
                name = line[4:].strip()
                path = None if name == "/dev/null" else name.removeprefix("a/")
                if path and path.lower().endswith(DOC_SUFFIXES):
                    path = None
            elif line.startswith(("+++ ", "diff --git")):
                continue
            elif line.startswith("@@"):
                match = _HUNK.match(line)
                line_no = int(match.group(1)) if match else 0
            elif line.startswith("-") and path is not None:
                if is_meaningful(line[1:]):
                    files.setdefault(path, []).append(line_no)
                line_no += 1
        out[sha.strip()] = files
    return out


def _ranges(lines: list[int]) -> list[str]:
    spans: list[str] = []
    ordered = sorted(set(lines))
    start = prev = ordered[0]
    for n in ordered[1:]:
        if n != prev + 1:
            spans.append(f"{start},{prev}")
            start = n
        prev = n
    spans.append(f"{start},{prev}")
    return spans


def blame(fix: str, path: str, lines: list[int], cwd: Path) -> set[str]:
    """Commits that last touched ``lines`` of ``path`` in the fix's parent (whitespace ignored)."""
    args = ["git", "blame", "--porcelain", "-w"]
    for span in _ranges(lines)[:200]:
        args += ["-L", span]
    proc = subprocess.run(
        [*args, f"{fix}^", "--", path], cwd=cwd, capture_output=True, check=False, env=_git_env()
    )
    if proc.returncode != 0:
        return set()
    found = set()
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        match = _BLAME.match(line)
        if match:
            found.add(match.group(1))
    return found


def inducing(
    fixes: list[str],
    cwd: Path,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> dict[str, set[str]]:
    """fix sha -> the commits that introduced the lines it changed."""
    deleted = deleted_lines(fixes, cwd)
    jobs = [(fix, path, lines) for fix, files in deleted.items() for path, lines in files.items() if lines]
    result: dict[str, set[str]] = {fix: set() for fix in fixes}
    with ThreadPoolExecutor(max_workers=workers or min(8, (os.cpu_count() or 2) * 2)) as pool:
        for done, (job, shas) in enumerate(
            zip(jobs, pool.map(lambda j: blame(j[0], j[1], j[2], cwd), jobs), strict=True), 1
        ):
            result[job[0]] |= shas
            if progress and done % 20 == 0:
                progress(done, len(jobs))
    return result
