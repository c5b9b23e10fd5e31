"""Failed test node ids from pytest's JUnit XML, resolved against the repository.

Unlike ``sources/junit.py`` (many producers, heuristics for class names), ids here are
resolved by finding the test file under the root, so they match the node ids that
``affected --observe`` recorded exactly: the safety report depends on that match.
"""

from __future__ import annotations

from pathlib import Path

from maestro_ci.errors import InputError


def failed_tests(paths: list[Path], root: Path) -> list[str]:
    import defusedxml.ElementTree as SafeET
    from junitparser import Error, Failure, JUnitXml, TestSuite

    failed: set[str] = set()
    for path in paths:
        try:  # defusedxml parses (no entities, no external references); junitparser walks
            xml = JUnitXml.fromroot(SafeET.parse(str(path)).getroot())
        except Exception as exc:  # parse errors, refused entities, a root that is not JUnit
            raise InputError(
                f"not a readable JUnit file ({type(exc).__name__})",
                file=str(path),
                fix="pass pytest's --junitxml output",
            ) from exc
        suites = [xml] if isinstance(xml, TestSuite) else list(xml)
        for suite in suites:
            for case in suite:
                if any(isinstance(r, Failure | Error) for r in case.result):
                    failed.add(nodeid(case.classname or "", case.name or "", root))
    return sorted(failed)


def nodeid(classname: str, name: str, root: Path) -> str:
    """pytest's ``tests.test_x.TestA`` + ``test_b`` → ``tests/test_x.py::TestA::test_b``."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (root / path).is_file():
            return "::".join([path, *parts[cut:], name])
    return "::".join([*parts, name])
