"""Coverage of base and head from coverage.py's data file, JSON report or XML report.

The format is told by the content, not the name: an SQLite file is a
``.coverage`` data file (read with coverage's ``CoverageData``; statements come
from coverage's own ``PythonParser`` over the file's text at that commit), a
JSON object with ``files`` is ``coverage json``, an XML document with a
``<coverage>`` root is ``coverage xml`` (Cobertura). Paths are mapped onto the
repository's tracked files; a report none of whose files is in the repository is
rejected as coming from another project.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from maestro_ci.errors import InputError

FIX_FORMAT = "pass a coverage.py data file (.coverage), or 'coverage json' / 'coverage xml' output"


@dataclass
class FileCoverage:
    statements: set[int] = field(default_factory=set)
    executed: set[int] = field(default_factory=set)


@dataclass
class CoverageReport:
    file: str
    kind: str  # data | json | xml
    files: dict[str, FileCoverage]

    @property
    def percent(self) -> float | None:
        total = sum(len(f.statements) for f in self.files.values())
        if total == 0:
            return None
        hit = sum(len(f.executed & f.statements) for f in self.files.values())
        return hit / total


def _map_paths(raw: Iterable[str], root: Path, tracked: set[str], file: str) -> dict[str, str]:
    """raw path -> repository-relative path, for the paths that are in the repository."""
    out: dict[str, str] = {}
    names = list(raw)
    by_name: dict[str, list[str]] = {}
    for t in tracked:
        by_name.setdefault(PurePosixPath(t).name, []).append(t)
    for name in names:
        posix = name.replace("\\", "/")
        rel: str | None = None
        if not PurePosixPath(posix).is_absolute() and posix in tracked:
            rel = posix
        else:
            try:
                rel = (root / posix).resolve().relative_to(root.resolve()).as_posix()
            except (ValueError, OSError):
                rel = None
            if rel not in tracked:
                candidates = [
                    t for t in by_name.get(PurePosixPath(posix).name, []) if posix.endswith("/" + t)
                ]
                rel = max(candidates, key=len) if candidates else None
        if rel is not None:
            out[name] = rel
    if names and not out:
        raise InputError(
            f"coverage report is from another project: none of its {len(names)} file(s) is in this "
            f"repository (first: '{sorted(names)[0]}')",
            file=file,
            fix="pass the coverage file produced by this repository's tests (or set "
            "'relative_files = true' in coverage's [run] settings)",
        )
    return out


def _from_data(path: Path) -> dict[str, tuple[set[int], set[int]]]:
    from coverage import CoverageData

    data = CoverageData(basename=str(path))
    try:
        data.read()
        measured = sorted(data.measured_files())
    except Exception as exc:  # coverage raises its own DataError/sqlite errors
        raise InputError(f"cannot read coverage data: {exc}", file=str(path), fix=FIX_FORMAT) from exc
    out: dict[str, tuple[set[int], set[int]]] = {}
    for name in measured:
        executed = set(data.lines(name) or ())
        out[name] = (executed, set())
    return out  # statements come later, from the file's text at the commit


def _statements(text: str) -> set[int]:
    from coverage.parser import PythonParser

    try:
        parser = PythonParser(text=text)
        parser.parse_source()
    except Exception:  # a file coverage itself cannot parse has no statements for us
        return set()
    return set(parser.statements) - set(parser.excluded)


def _from_json(doc: Any, file: str) -> dict[str, tuple[set[int], set[int]]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise InputError(
            "JSON file is not a coverage.py JSON report (no 'files' object)", file=file, fix=FIX_FORMAT
        )
    out: dict[str, tuple[set[int], set[int]]] = {}
    for name, entry in doc["files"].items():
        try:
            executed = {int(n) for n in entry["executed_lines"]}
            missing = {int(n) for n in entry["missing_lines"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"entry for '{name}' lacks executed_lines/missing_lines as lists of line numbers",
                file=file,
                fix=FIX_FORMAT,
            ) from exc
        out[str(name)] = (executed, executed | missing)
    return out


def _from_xml(data: bytes, file: str) -> dict[str, tuple[set[int], set[int]]]:
    from xml.etree.ElementTree import ParseError

    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(f"invalid XML: {exc}", file=file, fix=FIX_FORMAT) from exc
    if root.tag != "coverage":
        raise InputError(f"XML root is <{root.tag}>, not <coverage>", file=file, fix=FIX_FORMAT)
    sources = [s.text.strip() for s in root.iter("source") if s.text and s.text.strip()]
    out: dict[str, tuple[set[int], set[int]]] = {}
    for cls in root.iter("class"):
        name = cls.get("filename")
        if not name:
            continue
        executed: set[int] = set()
        statements: set[int] = set()
        for line in cls.iter("line"):
            try:
                number, hits = int(line.get("number", "")), int(line.get("hits", "0"))
            except ValueError as exc:
                raise InputError(
                    f"<line> in '{name}' has a non-numeric number or hits", file=file, fix=FIX_FORMAT
                ) from exc
            statements.add(number)
            if hits > 0:
                executed.add(number)
        full = name if not sources or PurePosixPath(name).is_absolute() else f"{sources[0]}/{name}"
        prev = out.setdefault(full, (set(), set()))
        prev[0].update(executed)
        prev[1].update(statements)
    return out


def load(path: Path, root: Path, tracked: set[str], text_of: Callable[[str], str | None]) -> CoverageReport:
    """Read a coverage file of any supported kind, mapped onto ``tracked`` repository paths."""
    file = str(path)
    if not path.is_file():
        raise InputError("coverage file not found", file=file, fix="check the path")
    data = path.read_bytes()
    if data.startswith(b"SQLite format 3\x00"):
        kind, raw = "data", _from_data(path)
    elif data.lstrip()[:1] == b"{":
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"invalid JSON: {exc}", file=file, fix=FIX_FORMAT) from exc
        kind, raw = "json", _from_json(doc, file)
    elif data.lstrip()[:1] == b"<":
        kind, raw = "xml", _from_xml(data, file)
    else:
        raise InputError(
            "not a coverage file: neither coverage.py data (SQLite), JSON nor XML", file=file, fix=FIX_FORMAT
        )
    mapping = _map_paths(raw, root, tracked, file)
    files: dict[str, FileCoverage] = {}
    for name, rel in mapping.items():
        executed, statements = raw[name]
        if kind == "data":
            text = text_of(rel)
            statements = _statements(text) if text is not None else set(executed)
        entry = files.setdefault(rel, FileCoverage())
        entry.executed |= executed
        entry.statements |= statements
    return CoverageReport(file=file, kind=kind, files=files)
