"""The run's one summary page: every gate of every job and shard, under a size budget.

Deterministic: the same results give the same bytes (sorted gates, sorted
runs, no clock). The page never grows past ``budget`` bytes: large sections
are shown compact first, and as a last resort the page is cut with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from maestro_ci.models import GateResult, Status
from maestro_ci.render.markdown import BADGE
from maestro_ci.render.mermaid_charts import pie
from maestro_ci.render.summary_sections import Placed, cell, gate_section, score_text

PAGE_LIMIT = 1024 * 1024 - 16 * 1024  # GitHub's 1 MiB step summary, with room to spare
MAX_LINKS = 200
MAX_FLAKY = 50
MAX_OVERVIEW = 300
FLAKY_KEYS = ("flaky", "flaky_tests")


@dataclass(frozen=True)
class RunView:
    """One run folder as the page sees it."""

    name: str
    results: list[Placed] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    # statement file -> (predicate type, [(subject name, sha256)])
    statements: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)


def _groups(runs: Sequence[RunView]) -> dict[str, list[Placed]]:
    groups: dict[str, list[Placed]] = {}
    for view in runs:
        for placed in view.results:
            groups.setdefault(placed.result.gate, []).append(placed)
    return {g: sorted(ps, key=lambda p: (p.run, p.file)) for g, ps in sorted(groups.items())}


def _flaky_names(result: GateResult) -> list[str]:
    names: list[str] = []
    for key in FLAKY_KEYS:
        items = result.details.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                name = item.get("nodeid") or item.get("test") or item.get("name") or item.get("id")
                if isinstance(name, str):
                    names.append(name)
    return names


def header(title: str, groups: dict[str, list[Placed]], broken: int) -> str:
    statuses = [p.result.status for ps in groups.values() for p in ps]
    worst = Status.worst(statuses)
    if broken and not worst.blocks:
        worst = Status.ERROR
    verdict = "blocked" if worst.blocks else "ready"
    counts = {s: sum(1 for x in statuses if x is s) for s in Status}
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no results"
    lines = [f"# {cell(title, 200)}: {BADGE[worst]} — {verdict}\n"]
    note = f" · ⚠️ {broken} broken file{'s' if broken != 1 else ''}" if broken else ""
    lines.append(f"**{len(groups)} gates**, {len(statuses)} results: {tally}{note}\n")
    if groups:
        rows = ["| gate | status | score / threshold | summary |", "|---|---|---|---|"]
        for gate, placed in list(groups.items())[:MAX_OVERVIEW]:
            status = Status.worst([p.result.status for p in placed])
            first = placed[0].result
            summary = first.summary if len(placed) == 1 else f"{len(placed)} results"
            rows.append(f"| {cell(gate, 200)} | {BADGE[status]} | {score_text(first)} | {cell(summary)} |")
        if len(groups) > MAX_OVERVIEW:
            rows.append(f"| … | | | {len(groups) - MAX_OVERVIEW} more gates below |")
        lines.append("\n".join(rows) + "\n")
    if len(statuses) > 1:
        lines.append(pie("Gate results", [(str(s), counts[s]) for s in Status]))
    return "\n".join(lines) + "\n"


def broken_section(runs: Sequence[RunView]) -> str:
    rows = [
        f"- `{cell(view.name, 200)}/{cell(name, 200)}`: {cell(problem)}"
        for view in runs
        for name, problem in sorted(view.broken.items())
    ]
    if not rows:
        return ""
    return (
        "## ⛔ Broken inputs\n\n"
        "These files could not be read; their gates are missing from this page, so the run "
        "cannot be called ready.\n\n" + "\n".join(rows) + "\n\n"
    )


def flaky_section(groups: dict[str, list[Placed]]) -> str:
    names = sorted({n for ps in groups.values() for p in ps for n in _flaky_names(p.result)})
    if not names:
        return ""
    rows = [f"- `{cell(n, 300)}`" for n in names[:MAX_FLAKY]]
    if len(names) > MAX_FLAKY:
        rows.append(f"- … and {len(names) - MAX_FLAKY:,} more (see the JSON results)")
    text = "\n".join(rows) + "\n"
    if len(names) > 10:
        text = f"<details><summary>{len(names):,} flaky tests</summary>\n\n{text}\n</details>\n"
    return f"## 🔁 Flaky tests\n\n{text}\n"


def provenance_section(runs: Sequence[RunView]) -> str:
    rows = [
        f"| `{cell(view.name, 100)}/{cell(file, 200)}` | `{cell(kind, 100)}` | `{cell(name, 200)}` | `{digest[:16]}…` |"
        for view in runs
        for file, (kind, subjects) in sorted(view.statements.items())
        for name, digest in subjects[:MAX_LINKS]
    ]
    if not rows:
        return ""
    table = "| statement | predicate type | subject | sha256 |\n|---|---|---|---|\n" + "\n".join(rows)
    return f"## Provenance\n\n{table}\n\n"


def links_section(runs: Sequence[RunView]) -> str:
    links = [(label, href) for view in runs for label, href in view.links]
    if not links:
        return ""
    rows = [f"- [{cell(label, 200)}]({href.replace(' ', '%20')})" for label, href in links[:MAX_LINKS]]
    if len(links) > MAX_LINKS:
        rows.append(f"- … and {len(links) - MAX_LINKS:,} more files")
    text = "\n".join(rows) + "\n"
    return f"## JSON results\n\n<details><summary>{len(links):,} files</summary>\n\n{text}\n</details>\n"


def render_summary(runs: Sequence[RunView], title: str = "maestro-ci", budget: int = PAGE_LIMIT) -> str:
    ordered = sorted(runs, key=lambda v: v.name)
    groups = _groups(ordered)
    broken = sum(len(v.broken) for v in ordered)
    head = header(title, groups, broken) + broken_section(ordered)
    tail = flaky_section(groups) + provenance_section(ordered) + links_section(ordered)
    sections = {gate: gate_section(gate, placed) for gate, placed in groups.items()}
    sizes = {gate: len(text.encode()) for gate, text in sections.items()}
    total = len(head.encode()) + len(tail.encode()) + sum(sizes.values())
    for gate in sorted(sections, key=lambda g: (-sizes[g], g)):
        if total <= budget:
            break
        sections[gate] = gate_section(gate, groups[gate], max_rows=20, extras=False)
        new_size = len(sections[gate].encode())
        total += new_size - sizes[gate]
        sizes[gate] = new_size
    page = head + "".join(sections.values()) + tail
    return cap(page, budget)


def cap(page: str, budget: int) -> str:
    data = page.encode("utf-8")
    if len(data) <= budget:
        return page
    note = "\n\n> **Page cut**: it was larger than the page limit. See the JSON results for everything.\n"
    cut = data[: max(0, budget - len(note.encode()))].decode("utf-8", "ignore")
    cut = cut[: cut.rfind("\n") + 1]
    if cut.count("```") % 2:
        cut += "```\n"
    if cut.count("<details>") > cut.count("</details>"):
        cut += "\n</details>\n" * (cut.count("<details>") - cut.count("</details>"))
    return cut + note
