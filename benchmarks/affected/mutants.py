"""Single-site mutants of a source tree: flip a comparison, change a constant, negate a
condition, return None. Sites are found with ``ast`` and applied as one text edit, so
the rest of the file (and its line numbers) stay as they were."""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass
from pathlib import Path

FLIP = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    replacement: str
    kind: str

    def label(self) -> str:
        return f"{self.path}:{self.line} {self.kind}"

    def apply(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line.encode()))
        data = text.encode()
        start = offsets[self.line - 1] + self.col
        end = offsets[self.end_line - 1] + self.end_col
        return (data[:start] + self.replacement.encode() + data[end:]).decode()


def _sites(path: str, tree: ast.AST) -> list[Mutant]:
    out: list[Mutant] = []

    def add(node: ast.AST, new: ast.AST, kind: str) -> None:
        out.append(
            Mutant(
                path,
                node.lineno,  # type: ignore[attr-defined]
                node.col_offset,  # type: ignore[attr-defined]
                node.end_lineno or node.lineno,  # type: ignore[attr-defined]
                node.end_col_offset or 0,  # type: ignore[attr-defined]
                ast.unparse(new),
                kind,
            )
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in FLIP:
            add(node, ast.Compare(node.left, [FLIP[type(node.ops[0])]()], node.comparators), "flip-compare")
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            add(node, ast.Constant(node.value + 1), "constant+1")
        elif isinstance(node, ast.If | ast.While) and node.test.end_lineno == node.test.lineno:
            add(node.test, ast.UnaryOp(ast.Not(), node.test), "negate-condition")
        elif isinstance(node, ast.Return) and node.value is not None and node.end_lineno == node.lineno:
            add(node, ast.Return(ast.Constant(None)), "return-None")
    return out


def sample(root: Path, sources: list[str], count: int, seed: int) -> list[Mutant]:
    """``count`` mutants drawn with ``seed``, spread over all source modules."""
    sites: list[Mutant] = []
    for rel in sorted(sources):
        text = (root / rel).read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        sites.extend(_sites(rel, tree))
    rng = random.Random(seed)
    return sorted(rng.sample(sites, min(count, len(sites))), key=lambda m: (m.path, m.line, m.col))
