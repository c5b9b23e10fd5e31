"""Test identity: turn a JUnit (classname, name, file) into a pytest node id.

Python producers (pytest, unittest-xml-reporting, nose2) write the module as a
dotted ``classname``; when the file and the class are recoverable we give the
pytest node id (``tests/test_x.py::TestA::test_b[1]``). Other producers keep
their own identity, joined with ``::`` (``com.acme.FooTest::testBar``).

Parametrize ids that change from run to run (timestamps, memory addresses,
UUIDs) would make every run a new test; they are replaced by a placeholder and
reported, so the user can give the parameter a stable ``ids=``.
"""

from __future__ import annotations

import re
from functools import lru_cache

VOLATILE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("address", re.compile(r"0x[0-9a-fA-F]{6,16}")),
    (
        "uuid",
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    ),
    (
        "timestamp",
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
    ),
    ("epoch", re.compile(r"(?<![\d.])1[5-9]\d{8}(?:\.\d+)?(?![\d.])")),
)
# One search for any of them first: most parametrize ids have none, and this is on the ingest path.
_ANY_VOLATILE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in VOLATILE_PATTERNS))
_SHORTEST_VOLATILE = 8  # "0x" and six hex digits; the other patterns need more


def split_params(name: str) -> tuple[str, str]:
    """``test_x[a-b]`` -> (``test_x``, ``[a-b]``); no brackets -> (name, "")."""
    at = name.find("[")
    if at > 0 and name.endswith("]"):
        return name[:at], name[at:]
    return name, ""


def stabilise(nodeid: str) -> tuple[str, list[str]]:
    """Replace volatile parts of the parametrize id; return the stable id and what was found."""
    if not nodeid.endswith("]"):
        return nodeid, []
    at = nodeid.find("[", nodeid.rfind("::") + 1)
    if at < 0 or len(nodeid) - at < _SHORTEST_VOLATILE + 2:  # "[" + the shortest pattern + "]"
        return nodeid, []
    _, params = split_params(nodeid.rsplit("::", 1)[-1])
    if not params or not _ANY_VOLATILE.search(params):
        return nodeid, []
    found: list[str] = []
    stable = params
    for kind, pattern in VOLATILE_PATTERNS:
        if pattern.search(stable):
            found.append(kind)
            stable = pattern.sub(f"<{kind}>", stable)
    if not found:
        return nodeid, []
    return nodeid[: len(nodeid) - len(params)] + stable, found


def _is_class(segment: str) -> bool:
    return segment[:1].isupper()


def _looks_like_python_module(segments: list[str]) -> bool:
    return any(s.startswith("test_") or s.endswith("_test") or s == "tests" for s in segments)


def node_id(classname: str, name: str, file: str = "", python: bool = False) -> str:
    """The pytest node id of one JUnit test case (see the module docstring)."""
    name = name.strip()
    if "::" in name and name.split("::", 1)[0].endswith(".py"):
        return name  # already a node id (some plugins write it as the name)
    prefix = _prefix(classname, file, python)
    return name if not prefix or prefix == name else f"{prefix}::{name}"


@lru_cache(maxsize=8192)
def _prefix(classname: str, file: str, python: bool) -> str:
    """What comes before the test name; cached, since many cases share a class."""
    classname = classname.strip()
    file = file.strip().replace("\\", "/").removeprefix("./")
    segments = [s for s in classname.split(".") if s]
    if file.endswith(".py"):
        module_dotted = file[:-3].replace("/", ".")
        rest = classname[len(module_dotted) :].lstrip(".") if classname.startswith(module_dotted) else ""
        if not rest and segments and not classname.startswith(module_dotted):
            # classname is relative (no package prefix) or a bare class: keep trailing class segments
            rest = ".".join(s for s in segments if _is_class(s))
        return "::".join([file, *[p for p in rest.split(".") if p]])
    if file:  # a non-Python file (mocha, jest with a file): the file and the full title
        return file
    split = next((i for i, s in enumerate(segments) if _is_class(s)), len(segments))
    module, classes = segments[:split], segments[split:]
    if module and (python or _looks_like_python_module(module)):
        return "::".join(["/".join(module) + ".py", *classes])
    return classname


def group_of(nodeid: str, by: str) -> str:
    """The unit a test belongs to when planning ``--by file|class|test``."""
    if by == "test":
        return nodeid
    parts = nodeid.split("::")
    if by == "file" or len(parts) < 3:
        return parts[0]
    return "::".join(parts[:-1])


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def class_of(nodeid: str) -> str | None:
    parts = nodeid.split("::")
    return "::".join(parts[:-1]) if len(parts) >= 3 else None
