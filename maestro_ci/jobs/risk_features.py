"""Per-commit change features in the style of Kamei et al. (2013), plus ours.

:class:`History` walks commits oldest first; ``features(commit)`` describes a
commit from what happened before it, then ``observe(commit)`` adds it. The
same code describes a live change (base..head as one pseudo-commit), so the
features a model is trained on and scored with are computed identically.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_ci.sources.git_history import Commit

KAMEI = ("la", "ld", "lt", "nf", "nd", "ns", "entropy", "age", "ndev", "nuc", "exp", "rexp", "sexp", "fix")
DERIVED = ("la_rel", "ld_rel", "la_per_file", "nuc_per_file")
OURS = ("churn30", "test_share")
FEATURES = KAMEI + DERIVED + OURS
DAY = 86400
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$")


def with_derived(values: dict[str, float]) -> dict[str, float]:
    """Add relative churn (lines added/deleted per line of the touched files) and per-file ratios."""
    lt = max(1.0, values["lt"] * max(1.0, values["nf"]))  # lt is the mean size of the touched files
    nf = max(1.0, values["nf"])
    return {
        **values,
        "la_rel": values["la"] / lt,
        "ld_rel": values["ld"] / lt,
        "la_per_file": values["la"] / nf,
        "nuc_per_file": values["nuc"] / nf,
    }


def is_fix(message: str, keywords: list[str]) -> bool:
    """A bug fix by its message: a keyword as a word stem, or an issue reference with 'fixes/closes'."""
    text = message.lower()
    if re.search(r"\b(fix(e[sd])?|close[sd]?|resolve[sd]?)\s+(#|gh-|[a-z][a-z0-9]+-)\d+", text):
        return True
    return any(re.search(rf"\b{re.escape(k.lower())}", text) for k in keywords)


def subsystem(path: str) -> str:
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else ""


def directory(path: str) -> str:
    return str(PurePosixPath(path).parent)


@dataclass
class _FileState:
    size: int = 0
    changes: int = 0
    last: int = 0
    devs: set[str] = field(default_factory=set)
    recent: deque[tuple[int, int]] = field(default_factory=deque)


@dataclass
class _DevState:
    commits: int = 0
    years: dict[int, int] = field(default_factory=dict)  # changes per year index (time // 365 days)
    subsystems: dict[str, int] = field(default_factory=dict)


class History:
    def __init__(self, keywords: list[str]) -> None:
        self.keywords = keywords
        self.files: dict[str, _FileState] = {}
        self.devs: dict[str, _DevState] = {}

    def features(self, commit: Commit) -> dict[str, float]:
        files = list(commit.files)
        la = sum(f.added for f in files)
        ld = sum(f.deleted for f in files)
        churned = [f.added + f.deleted for f in files]
        total = sum(churned)
        entropy = 0.0
        if total and len(files) > 1:
            entropy = -sum((c / total) * math.log2(c / total) for c in churned if c) / math.log2(len(files))
        states = [self.files.get(f.path) for f in files]
        known = [s for s in states if s is not None]
        devs: set[str] = set()
        for s in known:
            devs |= s.devs
        ages = [(commit.time - s.last) / DAY for s in known if s.last]
        dev = self.devs.get(commit.email)
        subs = {subsystem(f.path) for f in files}
        exp = dev.commits if dev else 0
        year = commit.time // (365 * DAY)
        rexp = sum(n / (1 + max(0, year - y)) for y, n in dev.years.items()) if dev else 0.0
        sexp = sum(dev.subsystems.get(s, 0) for s in subs) if dev else 0
        since = commit.time - 30 * DAY
        churn30 = sum(c for s in known for (t, c) in s.recent if t >= since)
        tests = sum(1 for f in files if TEST_PATH.search(f.path))
        return with_derived(
            {
                "la": la,
                "ld": ld,
                "lt": sum(s.size for s in known) / max(1, len(files)),
                "nf": len(files),
                "nd": len({directory(f.path) for f in files}),
                "ns": len(subs),
                "entropy": entropy,
                "age": sum(ages) / len(ages) if ages else 0.0,
                "ndev": len(devs),
                "nuc": sum(s.changes for s in known),
                "exp": exp,
                "rexp": rexp,
                "sexp": sexp,
                "fix": 1.0 if is_fix(commit.message, self.keywords) else 0.0,
                "churn30": churn30,
                "test_share": tests / len(files) if files else 0.0,
            }
        )

    def observe(self, commit: Commit) -> None:
        cutoff = commit.time - 30 * DAY
        for f in commit.files:
            state = self.files.setdefault(f.path, _FileState())
            state.size = max(0, state.size + f.added - f.deleted)
            state.changes += 1
            state.last = commit.time
            state.devs.add(commit.email)
            state.recent.append((commit.time, f.added + f.deleted))
            while state.recent and state.recent[0][0] < cutoff:
                state.recent.popleft()
        dev = self.devs.setdefault(commit.email, _DevState())
        dev.commits += 1
        year = commit.time // (365 * DAY)
        dev.years[year] = dev.years.get(year, 0) + 1
        for s in {subsystem(f.path) for f in commit.files}:
            dev.subsystems[s] = dev.subsystems.get(s, 0) + 1


def feature_rows(commits: list[Commit], keywords: list[str]) -> list[dict[str, float]]:
    """Features of every commit (oldest first), each from the history before it."""
    history = History(keywords)
    rows = []
    for commit in commits:
        rows.append(history.features(commit))
        history.observe(commit)
    return rows
