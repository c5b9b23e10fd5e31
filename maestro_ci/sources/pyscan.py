"""One Python file's dependencies, read from its syntax tree (never executed).

The scan is path-independent (relative imports keep their level), so its result
can be cached by the file's content hash. It records, on the safe side:
``import``/``from`` statements anywhere (functions, ``TYPE_CHECKING`` blocks,
``try`` blocks), ``importlib.import_module("x")`` and ``__import__("x")`` with a
literal (an f-string or ``+`` with a literal head counts as a prefix),
``pytest_plugins``, dotted string literals that may name a module
(``"pkg.mod:attr"``), whether the file holds doctests, and each non-literal
dynamic import (its line).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

QUOTED_DOTTED = re.compile(r"""["']([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?::[A-Za-z_][\w.]*)?)["']""")
DYNAMIC_HINT = re.compile(r"import_module|__import__|import_string|load_module")
BLOCKS = ("body", "orelse", "finalbody")
DYNAMIC_CALLS = {"import_module", "__import__", "import_string", "load_module"}


@dataclass
class Scan:
    """What one file imports. ``imports`` holds ``(level, module, names)`` tuples."""

    imports: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    dynamic: list[int] = field(default_factory=list)
    doctest: bool = False
    error: str | None = None

    def to_json(self) -> list[object]:
        return [
            [[lvl, mod, list(names)] for lvl, mod, names in self.imports],
            self.prefixes,
            self.strings,
            self.dynamic,
            self.doctest,
            self.error,
        ]

    @classmethod
    def from_json(cls, data: list[object]) -> Scan:
        imports, prefixes, strings, dynamic, doctest, error = data
        assert isinstance(imports, list) and isinstance(prefixes, list)
        assert isinstance(strings, list) and isinstance(dynamic, list)
        return cls(
            [(int(i[0]), str(i[1]), tuple(str(n) for n in i[2])) for i in imports],
            [str(p) for p in prefixes],
            [str(s) for s in strings],
            [int(n) for n in dynamic],
            bool(doctest),
            None if error is None else str(error),
        )


def scan_source(data: bytes) -> Scan:
    """Scan one file's bytes; an undecodable or unparsable file sets ``error``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Scan(error=f"not UTF-8 (byte {exc.start})")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return Scan(error=f"syntax error{f' at line {line}' if line else ''}: {getattr(exc, 'msg', exc)}")
    scan = Scan(doctest=">>>" in text)
    _statements(tree.body, scan)
    if DYNAMIC_HINT.search(text):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                _scan_call(node, scan)
    if "pytest_plugins" in text:
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
                _scan_plugins(stmt, scan)
    scan.strings = sorted({m.group(1).split(":", 1)[0] for m in QUOTED_DOTTED.finditer(text)})
    return scan


def _statements(body: list[ast.stmt], scan: Scan) -> None:
    """Imports in every statement block (functions, classes, if/try/with/match), not expressions."""
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                scan.imports.append((0, alias.name, ()))
        elif isinstance(node, ast.ImportFrom):
            names = tuple(a.name for a in node.names if a.name != "*")
            scan.imports.append((node.level, node.module or "", names))
        else:
            for name in BLOCKS:
                block = getattr(node, name, None)
                if block:
                    _statements(block, scan)
            for handler in getattr(node, "handlers", ()) or ():
                _statements(handler.body, scan)
            for case in getattr(node, "cases", ()) or ():
                _statements(case.body, scan)


def _scan_call(node: ast.Call, scan: Scan) -> None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in DYNAMIC_CALLS or not node.args:
        return
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        package = _package_arg(node)
        if arg.value.startswith(".") and package is not None:
            level = len(arg.value) - len(arg.value.lstrip("."))
            scan.imports.append((0, _join(package, level, arg.value.lstrip(".")), ()))
        elif arg.value.startswith("."):
            scan.dynamic.append(node.lineno)
        else:
            scan.imports.append((0, arg.value, ()))
        return
    prefix = _literal_head(arg)
    if prefix and not prefix.startswith("."):
        scan.prefixes.append(prefix)
    else:
        scan.dynamic.append(node.lineno)


def _package_arg(node: ast.Call) -> str | None:
    candidates = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "package")]
    for arg in candidates:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def _join(package: str, level: int, rest: str) -> str:
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, rest] if rest else base)


def _literal_head(arg: ast.expr) -> str:
    """The literal start of an f-string or ``"a." + x`` (empty when none)."""
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        left = arg.left
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            return left.value
        return _literal_head(left)
    return ""


def _scan_plugins(node: ast.Assign | ast.AnnAssign | ast.AugAssign, scan: Scan) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if not any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in targets):
        return
    value = node.value
    items = value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [value]
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            scan.imports.append((0, item.value, ()))
        elif item is not None:
            scan.dynamic.append(node.lineno)
