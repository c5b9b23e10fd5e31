"""JUnit XML reports from any common producer, read safely and as a stream.

One file becomes a :class:`Report`: its test cases in document order, each with
a normalised pytest node id (``sources/nodeids.py``), an outcome (``passed``,
``failed``, ``error``, ``skipped``) and a time in seconds.

The file is streamed through pyexpat guarded by defusedxml's handlers (entity
declarations and external references raise defusedxml's exceptions, so a
billion-laughs or XXE file is rejected with a message). Only element starts and
ends reach Python; ``system-out`` and failure texts are skipped inside expat, so
a 100 MB report needs little time and memory. A test case's outcome follows
junitparser's result types (``RESULT_TAGS`` is junitparser's ``TestCase``
table, which a test keeps equal, and a differential property test compares
whole files with junitparser's reading); junitparser itself is not imported on
this path because its import alone costs more than a 10 MB report's parse.

Times: ``1.5``, locale-formatted ``1,5`` (decimal comma) and ``1,234.5``
(thousands separator) are all read the same whatever the process locale; a
missing ``time`` is ``None``; a negative or NaN time is an input error.
"""

from __future__ import annotations

import codecs
import gc
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError
from maestro_ci.sources.nodeids import node_id, stabilise

OUTCOMES = ("passed", "failed", "error", "skipped")
RETRY_TAGS = ("flakyFailure", "flakyError", "rerunFailure", "rerunError")
_SKIP_STATUS = {"notrun", "skipped", "disabled", "ignored"}
_INF = math.inf
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(slots=True)
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
    """A parsed JUnit file: cases in document order and per-suite overhead samples.

    ``collect`` (per module node id, seconds) is filled only by the pytest plugin's
    recorder: JUnit does not say what collecting a file cost.
    """

    path: str
    cases: list[Case] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)
    collect: dict[str, float] = field(default_factory=dict)
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


# junitparser's result elements and our outcome for each (tests/shard keeps it equal to
# junitparser's ``TestCase.ITER_TYPES``).
RESULT_TAGS = {"failure": "failed", "error": "error", "skipped": "skipped"}


_RANK = {"error": 0, "failed": 1, "skipped": 2}


def _outcome(children: list[str], status: str | None) -> tuple[str, list[str]]:
    """Classify a ``<testcase>`` by its child elements, as junitparser types them
    (error > failure > skipped > passed); retry elements are collected apart."""
    found = "passed"
    retries: list[str] = []
    for tag in children:
        kind = RESULT_TAGS.get(tag)
        if kind is not None and (found == "passed" or _RANK[kind] < _RANK[found]):
            found = kind
        elif tag in RETRY_TAGS:
            retries.append(tag)
    if found == "passed" and (status or "").lower() in _SKIP_STATUS:
        found = "skipped"
    return found, retries


# Encodings expat decodes itself; any other declared encoding is decoded by Python's codec.
_EXPAT_ENCODINGS = {
    "utf-8",
    "utf8",
    "utf-16",
    "utf16",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "us-ascii",
    "ascii",
}
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _stream_parser(path: Path, python: bool | None, report: Report) -> tuple[Any, Callable[[], bool]]:
    """A pyexpat parser that builds ``report`` one ``<testcase>`` at a time, and a
    function telling whether a root element was seen.

    Guarded by defusedxml: entity declarations and external references go to
    defusedxml's own handlers, which raise its exceptions. Only element starts
    and ends reach Python: character data (``system-out``, failure texts) is
    never handed over, so it costs neither time nor memory. Closures over locals
    rather than methods: they run twice per element of files with hundreds of
    thousands of them.
    """
    from xml.parsers import expat

    from defusedxml.ElementTree import DefusedXMLParser

    wanted = set(RESULT_TAGS) | set(RETRY_TAGS)  # the children of a <testcase> that classify it
    cases = report.cases
    where = str(path)
    seen_root = False
    is_python = bool(python)
    case: dict[str, str] | None = None  # attributes of the open <testcase>
    inner = 0  # how deep below the open <testcase>
    children: list[str] = []
    suites: list[tuple[str, str | None, int]] = []  # file (inherited), time, index of its first case

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal is_python, case, inner, children
        if case is not None:
            inner += 1
            if inner == 1 and tag in wanted:
                children.append(tag)
        elif tag == "testcase":
            case, children = attrs, []
        elif tag == "testsuite":
            is_python = is_python or (python is None and attrs.get("name") == "pytest")
            suites.append(
                (attrs.get("file") or (suites[-1][0] if suites else ""), attrs.get("time"), len(cases))
            )

    def end(tag: str) -> None:
        nonlocal case, inner
        if case is not None:
            if inner:
                inner -= 1
            else:
                cases.append(_case(case, children, suites[-1][0] if suites else "", is_python, where))
                case = None
            return
        if tag == "testsuite" and suites:
            _, text, first = suites.pop()
            total = parse_time(text, "testsuite time", where)
            if not suites and total is not None:  # a top-level suite: its time less its cases' is overhead
                report.wall = (report.wall or 0.0) + total
                inside = sum(c.time for c in cases[first:] if c.time)
                if inside > 0:
                    report.overhead.append(max(0.0, total - inside))

    def root(tag: str, attrs: dict[str, str]) -> None:
        nonlocal seen_root
        seen_root = True
        if tag not in ("testsuites", "testsuite"):
            raise InputError(
                f"not a JUnit report: the root element is <{tag}>",
                file=where,
                fix="pass the XML written by the test runner (pytest --junitxml=FILE)",
            )
        parser.StartElementHandler = start
        start(tag, attrs)

    guard = DefusedXMLParser()
    parser = expat.ParserCreate()
    parser.EntityDeclHandler = guard.defused_entity_decl
    parser.UnparsedEntityDeclHandler = guard.defused_unparsed_entity_decl
    parser.ExternalEntityRefHandler = guard.defused_external_entity_ref_handler
    parser.StartElementHandler = root
    parser.EndElementHandler = end
    return parser, lambda: seen_root


def _feed(path: Path, parser: Any) -> None:
    with path.open("rb") as handle:
        declared = _DECLARED_ENCODING.match(handle.read(256))
        handle.seek(0)
        encoding = declared.group(1).decode().lower() if declared else "utf-8"
        if encoding in _EXPAT_ENCODINGS:  # in large chunks: ParseFile reads 2 KiB at a time
            while chunk := handle.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
            return
        try:
            decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        except LookupError:
            raise InputError(
                f"unknown XML encoding {encoding!r}",
                file=str(path),
                place="line 1 (the XML declaration)",
                fix="write the report as UTF-8",
            ) from None
        try:
            while chunk := handle.read(1 << 20):
                parser.Parse(decoder.decode(chunk), False)
            parser.Parse(decoder.decode(b"", True), True)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file is not valid {encoding} text ({exc.reason})",
                file=str(path),
                fix="write the report in the encoding its XML declaration names (UTF-8 is safest)",
            ) from None


def read_junit(path: Path, python: bool | None = None) -> Report:
    """Stream one JUnit XML file into a :class:`Report` (see the module docstring)."""
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException

    _sniff(path)
    report = Report(path=str(path))
    parser, seen_root = _stream_parser(path, python, report)
    collecting = gc.isenabled()
    gc.disable()  # the cases only accumulate; cycle collection passes over them cost a fifth of the time
    try:
        _feed(path, parser)
    except DefusedXmlException as exc:
        raise InputError(
            f"unsafe XML refused ({type(exc).__name__}): entity declarations and external "
            "references are not allowed in JUnit reports",
            file=str(path),
            fix="regenerate the report with a normal test runner; do not feed untrusted XML",
        ) from exc
    except ExpatError as exc:
        raise InputError(
            f"not well-formed XML ({str(exc).split(':')[0]}); the file may be truncated",
            file=str(path),
            place=f"line {exc.lineno}, column {exc.offset + 1}",
            fix="rerun the tests so the report is written completely",
        ) from exc
    finally:
        if collecting:
            gc.enable()
    if not seen_root():
        raise InputError("JUnit file has no root element", file=str(path), fix="rerun the tests")
    return report


def _case(
    attrs: dict[str, str],
    children: list[str],
    suite_file: str,
    python: bool,
    where: str,
) -> Case:
    name = attrs.get("name") or ""
    classname = attrs.get("classname") or ""
    if not name:
        raise InputError(
            "a <testcase> has no name", file=where, place=f"classname {classname!r}", fix="regenerate it"
        )
    text = attrs.get("time")
    if text is None:
        text = attrs.get("duration")
    try:  # the common case inline; anything else (locale formats, errors) in parse_time
        time: float | None = float(text)  # type: ignore[arg-type]
        if not 0.0 <= time < _INF:  # type: ignore[operator]
            raise ValueError(text)
    except (TypeError, ValueError):
        time = parse_time(text, f"testcase {name!r}", where)
    raw = node_id(classname, name, attrs.get("file") or suite_file, python)
    stable, volatile = stabilise(raw)
    status = attrs.get("status")
    if children or status:
        outcome, retries = _outcome(children, status)
        return Case(stable, outcome, time, raw, retries, volatile)
    return Case(stable, "passed", time, raw, [], volatile)


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
