"""A generated git history with planted bug-introducing and bug-fixing commits (git fast-import)."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

START = 1_600_000_000


@dataclass
class Planted:
    buggy: set[int] = field(default_factory=set)  # commit numbers (1-based marks)
    fixes: set[int] = field(default_factory=set)
    shas: dict[int, str] = field(default_factory=dict)


def _data(text: str) -> str:
    raw = text.encode()
    return f"data {len(raw)}\n{text}\n"


def build_history(path: Path, commits: int, seed: int = 7, files: int = 12, step: int = 3600) -> Planted:
    """``commits`` commits on ``main``; every 6th adds a risky block that a later 'Fix' commit changes."""
    rng = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    contents: dict[str, list[str]] = {f"pkg/mod_{i}.py": [f"# module {i}"] for i in range(files)}
    pending: list[tuple[int, str, str]] = []  # (due commit, path, marker line)
    planted = Planted()
    out: list[str] = []
    authors = ["ana", "bo", "cy", "di"]
    for n in range(1, commits + 1):
        changed: list[str] = []
        due = [p for p in pending if p[0] <= n]
        if due:
            _, rel, marker = due[0]
            pending.remove(due[0])
            lines = contents[rel]
            idx = lines.index(marker)
            lines[idx] = marker.replace("= risky(", "= guarded(")
            changed.append(rel)
            message = f"Fix crash when value is missing (#{n})"
            planted.fixes.add(n)
        elif n % 6 == 0:
            rel = f"pkg/mod_{rng.randrange(files)}.py"
            marker = f"value_{n} = risky({n})"
            contents[rel] += [marker, *[f"extra_{n}_{k} = {k}" for k in range(rng.randint(30, 60))]]
            other = f"pkg/mod_{rng.randrange(files)}.py"
            contents[other] += [f"helper_{n} = {n}"]
            changed += [rel, other]
            pending.append((n + rng.randint(2, 8), rel, marker))
            message = f"Add feature {n}"
            planted.buggy.add(n)
        else:
            rel = f"pkg/mod_{rng.randrange(files)}.py"
            contents[rel] += [f"name_{n} = {n}" for _ in range(1)] + [f"# note {n}"] * rng.randint(0, 2)
            changed.append(rel)
            message = f"Tweak module ({n})"
        author = authors[n % len(authors)]
        when = START + n * step
        out.append(f"commit refs/heads/main\nmark :{n}\n")
        out.append(f"author {author} <{author}@example.invalid> {when} +0000\n")
        out.append(f"committer {author} <{author}@example.invalid> {when} +0000\n")
        out.append(_data(message))
        if n > 1:
            out.append(f"from :{n - 1}\n")
        for rel in dict.fromkeys(changed if n > 1 else list(contents)):
            out.append(f"M 100644 inline {rel}\n")
            out.append(_data("\n".join(contents[rel]) + "\n"))
        out.append("\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input="".join(out).encode(), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)
    log = subprocess.run(
        ["git", "log", "--reverse", "--format=%H"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.split()
    planted.shas = {i + 1: sha for i, sha in enumerate(log)}
    return planted
