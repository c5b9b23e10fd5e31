"""Cyclomatic complexity of Python functions, from the AST (McCabe's count of decisions).

Each function counts 1 plus one per ``if``/``elif``, loop, ``except``, conditional
expression, ``assert``, ``match`` case, comprehension and its ``if`` clauses, and
each extra operand of ``and``/``or``. A nested function or class body is its own
unit and does not add to the function around it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

_DECISIONS = (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.Assert)
_UNITS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class Function:
    name: str  # qualified: Class.method, outer.inner
    start: int
    end: int
    complexity: int


def _count(node: ast.AST) -> int:
    total = 0
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _UNITS):
            continue
        if isinstance(child, _DECISIONS):
            total += 1
        elif isinstance(child, ast.BoolOp):
            total += len(child.values) - 1
        elif isinstance(child, ast.comprehension):
            total += 1 + len(child.ifs)
        elif isinstance(child, ast.match_case):
            total += 1
        total += _count(child)
    return total


def functions(source: str) -> list[Function]:
    """Every function and method in ``source``; an unparsable file has none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    out: list[Function] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                end = child.end_lineno or child.lineno
                out.append(Function(name, child.lineno, end, 1 + _count(child)))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return out


def touched(funcs: list[Function], lines: set[int]) -> dict[str, int]:
    """The functions whose span holds one of ``lines``, with their complexity."""
    return {f.name: f.complexity for f in funcs if any(f.start <= n <= f.end for n in lines)}


def delta(base: dict[str, int], head: dict[str, int]) -> tuple[float, int, int] | None:
    """Relative change of the summed complexity of the changed functions, in [-1, 1].

    A function that exists on one side only counts as complexity 1 on the other.
    Returns ``(delta, base_sum, head_sum)``, or None when no function changed.
    """
    names = set(base) | set(head)
    if not names:
        return None
    before = sum(base.get(n, 1) for n in names)
    after = sum(head.get(n, 1) for n in names)
    return max(-1.0, min(1.0, (after - before) / before)), before, after
