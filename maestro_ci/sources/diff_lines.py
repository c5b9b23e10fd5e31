"""Changed lines on the base side of a diff, for precise mode.

A pure insertion has no base line of its own: it is pinned to the base lines
on both sides of it, so the function it lands in is still found.
"""

from __future__ import annotations

import re
from pathlib import Path

from maestro_ci.sources import git

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def old_side_lines(base: str, head: str, root: Path, paths: list[str]) -> dict[str, set[int]]:
    """Per base path, the base line numbers a diff touches (insertions pinned to neighbours)."""
    if not paths:
        return {}
    args = [base] if head == git.WORKTREE else ["--cached", base] if head == git.INDEX else [base, head]
    text = git.run_git(
        ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-renames", *args, "--", *paths], root
    )
    return parse_old_lines(text)


def parse_old_lines(text: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("--- "):
            name = line[4:].rstrip("\t")
            current = out.setdefault(name[2:], set()) if name.startswith("a/") else None
        elif line.startswith("@@") and current is not None:
            match = HUNK.match(line)
            if not match:
                continue
            start, length = int(match.group(1)), 1 if match.group(2) is None else int(match.group(2))
            if length == 0:
                current.update({start, start + 1} - {0})
            else:
                current.update(range(start, start + length))
    return out
