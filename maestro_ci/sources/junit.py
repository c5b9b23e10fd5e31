"""JUnit XML reports from any common producer, read safely and as a stream.

One file becomes a :class:`Report`: its test cases in document order, each with
a normalised pytest node id (``sources/nodeids.py``), an outcome (``passed``,
``failed``, ``error``, ``skipped``) and a time in seconds. The XML is parsed with
defusedxml (entity expansion and external references are refused, so a
billion-laughs or XXE file is rejected with a message) and streamed: each test
case is classified with junitparser's ``TestCase`` and then dropped, so a 100 MB
file with large ``system-out`` needs little memory.

Times: ``1.5``, locale-formatted ``1,5`` (decimal comma) and ``1,234.5``
(thousands separator) are all read the same whatever the process locale; a
missing ``time`` is ``None``; a negative or NaN time is an input error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError
from maestro_ci.sources.nodeids import node_id, stabilise

OUTCOMES = ("passed", "failed", "error", "skipped")
RETRY_TAGS = ("flakyFailure", "flakyError", "rerunFailure", "rerunError")
_SKIP_STATUS = {"notrun", "skipped", "disabled", "ignored"}
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class Case:
    """One test case of one report."""

    nodeid: str
    outcome: str
    time: float | None
    raw_id: str = ""
    retries: list[str] = field(default_factory=list)
    volatile: list[str] = field(default_factory=list)
    setup: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"nodeid": self.nodeid, "outcome": self.outcome, "time": self.time}
        if self.retries:
            out["retries"] = self.retries
        if self.volatile:
            out["volatile"] = self.volatile
            out["raw_id"] = self.raw_id
        return out


@dataclass
class Report:
    """A parsed JUnit file: cases in document order and per-suite overhead samples."""

    path: str
    cases: list[Case] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)
    wall: float | None = None

    @property
    def volatile(self) -> dict[str, list[str]]:
        return {c.raw_id: c.volatile for c in self.cases if c.volatile}


def parse_time(text: str | None, where: str, file: str) -> float | None:
    """A JUnit time attribute in seconds, independent of the process locale."""
    if text is None or not text.strip():
        return None
    if "," not in text:
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if value >= 0 and math.isfinite(value):
                return value
    raw = text.strip().removesuffix("s").strip()
    if _THOUSANDS.match(raw) and "." in raw:
        raw = raw.replace(",", "")
    elif raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    elif "," in raw and "." in raw and raw.rfind(",") > raw.rfind("."):
        raw = raw.replace(".", "").replace(",", ".")  # 1.234,5 (de_DE)
    else:
        raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(
            f"time {text!r} is not a number",
            file=file,
            place=where,
            fix="write the time in seconds, e.g. 1.25",
        ) from None
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise InputError(
            f"time {text!r} is not a valid duration",
            file=file,
            place=where,
            fix="times must be finite and not negative; regenerate the report",
        )
    return value


def _sniff(path: Path) -> None:
    if not path.exists():
        raise InputError("JUnit file not found", file=str(path), fix="check the path")
    if path.is_dir():
        raise InputError(
            "expected a JUnit XML file, found a directory", file=str(path), fix="name the XML files"
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head.strip():
        raise InputError("JUnit file is empty", file=str(path), fix="the test run wrote nothing; rerun it")
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        raise InputError(
            "this is an HTML page, not JUnit XML",
            file=str(path),
            fix="the download probably failed (an error page was saved); fetch the report again",
        )


def _result_kinds() -> dict[str, str]:
    """junitparser's result elements (``failure``, ``error``, ``skipped``) and our outcome for each."""
    from junitparser import Error, Failure, Skipped, TestCase

    kinds = {Error: "error", Failure: "failed", Skipped: "skipped"}
    return {tag: kinds[cls] for tag, cls in TestCase.ITER_TYPES.items() if cls in kinds}


_RANK = {"error": 0, "failed": 1, "skipped": 2}


def _outcome(elem: Any, kinds: dict[str, str]) -> tuple[str, list[str]]:
    """Classify a ``<testcase>`` by junitparser's result types (error > failure > skipped > passed)."""
    found = "passed"
    retries: list[str] = []
    for child in elem:
        tag = child.tag
        kind = kinds.get(tag)
        if kind is not None and (found == "passed" or _RANK[kind] < _RANK[found]):
            found = kind
        elif tag in RETRY_TAGS:
            retries.append(tag)
    if found == "passed" and (elem.get("status") or "").lower() in _SKIP_STATUS:
        found = "skipped"
    return found, retries


def _events(path: Path) -> Iterator[tuple[str, Any]]:
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    try:
        yield from safe_et.iterparse(str(path), events=("start", "end"))
    except DefusedXmlException as exc:
        raise InputError(
            f"unsafe XML refused ({type(exc).__name__}): entity declarations and external "
            "references are not allowed in JUnit reports",
            file=str(path),
            fix="regenerate the report with a normal test runner; do not feed untrusted XML",
        ) from exc
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        pos = getattr(exc, "position", None)
        raise InputError(
            f"not well-formed XML ({str(exc).split(':')[0]}); the file may be truncated",
            file=str(path),
            place=f"line {pos[0]}, column {pos[1] + 1}" if pos else None,
            fix="rerun the tests so the report is written completely",
        ) from exc


def read_junit(path: Path, python: bool | None = None) -> Report:
    """Stream one JUnit XML file into a :class:`Report` (see the module docstring)."""
    _sniff(path)
    report = Report(path=str(path))
    stack: list[Any] = []
    suites: list[dict[str, Any]] = []  # name, file, time, sum of case times
    is_python = bool(python)
    seen_root = False
    kinds = _result_kinds()
    for event, elem in _events(path):
        tag = elem.tag
        if event == "start":
            if not seen_root:
                seen_root = True
                if tag not in ("testsuites", "testsuite"):
                    raise InputError(
                        f"not a JUnit report: the root element is <{tag}>",
                        file=str(path),
                        fix="pass the XML written by the test runner (pytest --junitxml=FILE)",
                    )
            stack.append(elem)
            if tag == "testsuite":
                name = elem.get("name") or ""
                is_python = is_python or (python is None and name == "pytest")
                suites.append({"file": elem.get("file") or "", "time": elem.get("time"), "sum": 0.0})
            continue
        stack.pop()
        if tag == "testcase":
            report.cases.append(_case(elem, suites, is_python, path, kinds))
            if suites and report.cases[-1].time:
                suites[-1]["sum"] += report.cases[-1].time
            if stack:
                stack[-1].remove(elem)
        elif tag == "testsuite" and suites:
            suite = suites.pop()
            total = parse_time(suite["time"], "testsuite time", str(path))
            if suites:
                suites[-1]["sum"] += suite["sum"]
            elif total is not None:
                report.wall = (report.wall or 0.0) + total
                if suite["sum"] > 0:
                    report.overhead.append(max(0.0, total - suite["sum"]))
            if stack:
                stack[-1].remove(elem)
    if not seen_root:
        raise InputError("JUnit file has no root element", file=str(path), fix="rerun the tests")
    return report


def _case(elem: Any, suites: list[dict[str, Any]], python: bool, path: Path, kinds: dict[str, str]) -> Case:
    name = elem.get("name") or ""
    classname = elem.get("classname") or ""
    file = elem.get("file") or next((s["file"] for s in reversed(suites) if s["file"]), "")
    if not name:
        raise InputError(
            "a <testcase> has no name", file=str(path), place=f"classname {classname!r}", fix="regenerate it"
        )
    time = parse_time(elem.get("time", elem.get("duration")), f"testcase {name!r}", str(path))
    raw = node_id(classname, name, file, python)
    stable, volatile = stabilise(raw)
    outcome, retries = _outcome(elem, kinds)
    return Case(nodeid=stable, outcome=outcome, time=time, raw_id=raw, retries=retries, volatile=volatile)


def read_cases(path: Path) -> list[Case]:
    """The test cases of one JUnit file (node id, outcome, time), in document order."""
    return read_junit(path).cases


_WORST = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def read_outcomes(paths: Iterable[Path]) -> dict[str, str]:
    """Node id → outcome over several JUnit files; a test seen twice keeps its worst outcome."""
    outcomes: dict[str, str] = {}
    for path in paths:
        for case in read_cases(path):
            previous = outcomes.get(case.nodeid)
            if previous is None or _WORST[case.outcome] > _WORST[previous]:
                outcomes[case.nodeid] = case.outcome
    return outcomes


def read_test_durations(path: Path) -> Report:
    """pytest-split's ``.test_durations`` (``{node id: seconds}``) as a report of passed cases."""
    from maestro_ci.sources.store import read_json

    data = read_json(path, "pytest-split durations file")
    if not isinstance(data, dict):
        raise InputError(
            "expected a JSON object {node id: seconds}",
            file=str(path),
            fix="pass pytest-split's .test_durations",
        )
    report = Report(path=str(path))
    for nodeid in sorted(data):
        value = data[nodeid]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"duration of {nodeid!r} is not a number", file=str(path), fix="durations are seconds"
            )
        seconds = parse_time(repr(float(value)), f"entry {nodeid!r}", str(path))
        stable, volatile = stabilise(nodeid)
        report.cases.append(Case(stable, "passed", seconds, raw_id=nodeid, volatile=volatile))
    return report


def is_test_durations(path: Path) -> bool:
    """A pytest-split durations file (JSON) rather than XML?"""
    if path.name.endswith(".test_durations") or path.suffix == ".json":
        return True
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(64).lstrip().startswith(b"{")
