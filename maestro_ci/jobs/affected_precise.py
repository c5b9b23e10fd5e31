"""Precise mode for one changed file: changed lines → the tests that ran them.

Granularity is the innermost function around each changed line (a change in a
multi-line statement or an unexecuted line still finds the tests that entered
the function). A line outside every function body (module or class level, a
``def`` line, a decorator, a default value) runs at import time, as does a
function the map saw running outside any test: such a change answers ``None``
and the caller falls back to the import graph for the file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from maestro_ci.sources.coverage_map import CoverageMap


@dataclass(frozen=True)
class PreciseHit:
    tests: frozenset[str]
    functions: tuple[str, ...]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Fallback:
    reason: str


def _functions(tree: ast.AST) -> list[tuple[int, int, int, str]]:
    """(body start, end, def line, name) of every function, innermost last when nested."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            end = node.end_lineno or node.body[-1].lineno
            out.append((node.body[0].lineno, end, node.lineno, node.name))
    return out


def select_precise(
    path: str, base_source: str, old_lines: set[int], cmap: CoverageMap
) -> PreciseHit | Fallback:
    entry = cmap.files.get(path)
    if entry is None:
        return Fallback("not in the coverage map")
    try:
        tree = ast.parse(base_source)
    except (SyntaxError, ValueError):
        return Fallback("base version does not parse")
    functions = _functions(tree)
    imported = set(entry.import_lines)
    shared = set(entry.shared_lines)
    tests: set[str] = set()
    names: list[str] = []
    for line in sorted(old_lines):
        around = [f for f in functions if f[0] <= line <= f[1]]
        if not around:
            return Fallback(f"line {line} runs at import time (module or class level)")
        start, end, def_line, name = max(around, key=lambda f: f[0])
        span = set(range(def_line, end + 1))
        body = set(range(start, end + 1))
        if body & imported:
            return Fallback(f"function {name} (line {def_line}) runs at import time")
        if body & shared:
            return Fallback(f"function {name} (line {def_line}) runs in a fixture shared between tests")
        tests |= cmap.tests_of(path, span)
        names.append(name)
    return PreciseHit(frozenset(tests), tuple(dict.fromkeys(names)), tuple(sorted(old_lines)))
