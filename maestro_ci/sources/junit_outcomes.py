"""A small JUnit reader: node id -> outcome (``passed``, ``failed``, ``error``, ``skipped``).

XML is parsed with defusedxml (no entity expansion, no external entities) and
walked with junitparser. Node ids follow pytest: ``tests/test_a.py::TestX::test_y[p]``.
A file that does not parse raises :class:`InputError` naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError

_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def node_id(classname: str, name: str, file: str | None = None) -> str:
    """pytest's node id from a JUnit ``classname``/``name`` (and ``file`` when present)."""
    parts = [p for p in classname.split(".") if p]
    classes: list[str] = []
    while parts and parts[-1][:1].isupper():
        classes.insert(0, parts.pop())
    if file:
        path = file.replace("\\", "/")
    elif parts:
        path = "/".join(parts) + ".py"
    else:
        return "::".join([*classes, name])
    return "::".join([path, *classes, name])


def read_outcomes(paths: Iterable[Path]) -> dict[str, str]:
    """Outcomes of every test case in the files; a test seen twice keeps its worst outcome."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException
    from junitparser import Error, Failure, JUnitXml, Skipped

    outcomes: dict[str, str] = {}
    for path in paths:
        try:
            root = SafeET.parse(str(path)).getroot()
            if root.tag not in ("testsuites", "testsuite"):
                raise ValueError(f"the root element is <{root.tag}>, not <testsuites> or <testsuite>")
            xml = JUnitXml.fromroot(root)
        except FileNotFoundError as exc:
            raise InputError("JUnit file not found", file=str(path), fix="check the path") from exc
        except (SafeET.ParseError, DefusedXmlException, ValueError, TypeError) as exc:
            raise InputError(
                f"JUnit file does not parse: {exc}",
                file=str(path),
                fix="pass the XML written by `pytest --junitxml=FILE` (or another JUnit writer)",
            ) from exc
        except OSError as exc:
            raise InputError(f"cannot read JUnit file: {exc.strerror}", file=str(path)) from exc
        suites: list[Any] = list(xml)
        for suite in suites:
            for case in suite:
                if not hasattr(case, "result"):
                    continue
                kinds = {type(r) for r in case.result}
                if Error in kinds:
                    outcome = "error"
                elif Failure in kinds:
                    outcome = "failed"
                elif Skipped in kinds:
                    outcome = "skipped"
                else:
                    outcome = "passed"
                key = node_id(case.classname or "", case.name or "", case._elem.get("file"))
                previous = outcomes.get(key)
                if previous is None or _RANK[outcome] > _RANK[previous]:
                    outcomes[key] = outcome
    return outcomes
