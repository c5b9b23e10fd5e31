"""The import graph of a repository's Python code, from the AST (no code is run).

Minimal version: top-level and function-level ``import`` / ``from`` imports,
packages (``__init__.py``) and the ``src/`` layout. Only imports of modules
inside the repository are kept.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist", ".maestro"}


@dataclass
class ImportGraph:
    modules: dict[str, str] = field(default_factory=dict)  # module -> repo-relative file
    imports: dict[str, frozenset[str]] = field(default_factory=dict)  # module -> internal imports

    def module_of(self, path: str) -> str | None:
        """The module defined by the repo-relative ``path``, or None."""
        for module, file in self.modules.items():
            if file == path:
                return module
        return None

    def importers_of(self, modules: Iterable[str]) -> set[str]:
        """Every module that imports any of ``modules``, directly or through others."""
        reverse: dict[str, set[str]] = {}
        for importer, targets in self.imports.items():
            for target in targets:
                reverse.setdefault(target, set()).add(importer)
        seen: set[str] = set()
        stack = list(modules)
        while stack:
            for importer in reverse.get(stack.pop(), ()):
                if importer not in seen:
                    seen.add(importer)
                    stack.append(importer)
        return seen


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _python_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        out.append(rel)
    return out


_HAS_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import\b", re.MULTILINE)


def _statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement, nested in blocks too; expressions are not walked (imports are statements)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(children)


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = (
                    base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                )
                base = ".".join(p for p in [*base_parts, node.module or ""] if p)
            else:
                base = node.module or ""
            if base:
                names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def _resolve(name: str, modules: dict[str, str]) -> str | None:
    """The longest internal module that ``name`` is or lies in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def build_graph(root: Path) -> ImportGraph:
    """Parse every Python file under ``root`` and link the imports between them."""
    files = _python_files(root)
    graph = ImportGraph()
    for rel in files:
        graph.modules.setdefault(_module_name(rel), rel.as_posix())
    for rel in files:
        module = _module_name(rel)
        try:
            data = (root / rel).read_bytes()
            if not _HAS_IMPORT.search(data):
                graph.imports[module] = frozenset()
                continue
            tree = ast.parse(data, filename=rel.as_posix())
        except (SyntaxError, ValueError, OSError):
            graph.imports[module] = frozenset()
            continue
        targets: set[str] = set()
        for name in _imported_names(tree, module, rel.name == "__init__.py"):
            found = _resolve(name, graph.modules)
            if found and found != module:
                targets.add(found)
        graph.imports[module] = frozenset(targets)
    return graph
