"""Helpers for the JUnit golden corpus: one folder per producer, case.xml beside case.expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "junit_corpus"


def case_file(folder: Path) -> Path:
    found = sorted(p for p in folder.iterdir() if p.name.startswith("case.") and "expected" not in p.name)
    assert len(found) == 1, f"{folder}: expected one case file"
    return found[0]


def parse_case(folder: Path) -> dict[str, Any]:
    from maestro_ci.commands.timings import read_report

    report = read_report(case_file(folder))
    return {
        "cases": [c.as_dict() for c in report.cases],
        "overhead": [round(o, 6) for o in report.overhead],
        "wall": None if report.wall is None else round(report.wall, 6),
    }


def all_cases() -> dict[str, Any]:
    return {folder.name: parse_case(folder) for folder in sorted(CORPUS.iterdir()) if folder.is_dir()}


if __name__ == "__main__":  # used by the locale test: parse everything under the current locale
    import locale

    locale.setlocale(locale.LC_ALL, "")
    print(json.dumps({"locale": locale.setlocale(locale.LC_NUMERIC), "cases": all_cases()}))
