"""Write RESULTS.md from the per-mutant log of an interrupted ``run.py`` (plus graph timings
and recording overhead, measured here), when the full study cannot finish in time.

    python benchmarks/affected/run.py --mutants 40 > bench.log   # interrupted
    python benchmarks/affected/from_log.py bench.log
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from common import WORK, p90, write_results  # noqa: E402

LINE = re.compile(r"^\s+(\S+:\d+ \S+)\s+failed=\s*(\d+) broken=(\w+) (.*)$")


def parse(path: Path) -> dict[str, list[tuple[str, int, bool, dict[str, tuple[bool, float]]]]]:
    out: dict[str, list[tuple[str, int, bool, dict[str, tuple[bool, float]]]]] = {}
    project = ""
    for line in path.read_text().splitlines():
        if line.startswith("== "):
            project = line[3:].strip()
            out[project] = []
            continue
        match = LINE.match(line)
        if match:
            sel = {}
            for part in match.group(4).split():
                name, value = part.split("=")
                verdict, ratio = value.split("/")
                sel[name] = (verdict == "ok", float(ratio))
            out[project].append((match.group(1), int(match.group(2)), match.group(3) == "True", sel))
    return out


def overhead(project: run.Project) -> tuple[float, float, float, int]:
    root = WORK / "affected" / project.name
    plain = min(run.pytest(root, project).seconds for _ in range(2))
    base = run.pytest(root, project)
    rec = run.pytest(root, project, "--affected-record-map", ".maestro/affected-map.json").seconds
    for data in root.glob(".testmondata*"):
        data.unlink()
    tm = run.pytest(root, project, "--testmon").seconds
    return plain, rec, tm, len(base.tests)


def main() -> None:
    data = parse(Path(sys.argv[1]))
    rows = [
        "## Affected-test selection",
        "",
        f"Mutation study (seed {run.SEED}; flip a comparison, constant + 1, negate a condition, return None), "
        "sampled over every source module, `__pycache__` removed before each run; ground truth: the full suite "
        "per mutant. **This run was cut short** (mutants that make a test loop forever stalled it before the "
        "per-run timeout existed): the tables list exactly the mutants that ran; time ratios were not "
        "assembled for this run. Selection ratio = tests run / all tests.",
        "",
    ]
    for project in run.PROJECTS:
        mutants = data.get(project.name, [])
        usable = [m for m in mutants if not m[2] and any(r for _, r in m[3].values())]
        killed = [m for m in usable if m[1]]
        rows += [
            f"### {project.name} {project.version} — {project.why}",
            "",
            f"{len(mutants)} mutants ran: {len(killed)} killed, {len(usable) - len(killed)} survived, "
            f"{len(mutants) - len(usable)} broke import/collection or hung (not scored).",
            "",
            "| strategy | strict safety | selection ratio (median / p90) |",
            "|---|---|---|",
        ]
        for mode, label in (
            ("static", "maestro-ci static"),
            ("precise", "maestro-ci precise"),
            ("testmon", "pytest-testmon"),
        ):
            safe = sum(m[3][mode][0] for m in killed)
            ratios = [m[3][mode][1] for m in usable]
            med = f"{statistics.median(ratios):.2f} / {p90(ratios):.2f}" if ratios else "–"
            rows.append(f"| {label} | {safe}/{len(killed)} ({safe / max(1, len(killed)):.0%}) | {med} |")
        misses = [m[0] for m in killed if not m[3]["testmon"][0]]
        if misses:
            rows.append(f"\ntestmon missed failures on: {', '.join(f'`{m}`' for m in misses)}.")
        rows.append("")
    rows += [
        "### Coverage-map recording overhead",
        "",
        "| project | tests | plain pytest | --affected-record-map | pytest-testmon first run |",
        "|---|---|---|---|---|",
    ]
    for project in run.PROJECTS:
        if (WORK / "affected" / project.name).is_dir():
            plain, rec, tm, tests = overhead(project)
            rows.append(
                f"| {project.name} | {tests} | {plain:.2f} s | {rec:.2f} s ({rec / plain:.2f}×) | {tm:.2f} s ({tm / plain:.2f}×) |"
            )
    rows += ["", "### Graph build time (targets: cold ≤ 2 s, warm ≤ 0.3 s)", "", run.graph_times()]
    import importlib.metadata as md

    rows += [
        f"Versions: pytest-testmon {md.version('pytest-testmon')}, grimp {md.version('grimp')}, "
        f"pytest {md.version('pytest')}, coverage {md.version('coverage')}."
    ]
    write_results("affected", "\n".join(rows))


if __name__ == "__main__":
    main()
