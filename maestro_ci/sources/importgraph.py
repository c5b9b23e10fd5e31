"""The repository's import graph: which module imports which, internal to the repo.

Module names are computed from every place Python or pytest may put on
``sys.path``: the repository root, ``src/``, the first folder above each test
file or ``conftest.py`` that is not a package (pytest's ``prepend`` import
mode), and configured extra roots. One file may so have several names (its
aliases); an import resolves to every file that answers to the name, which
covers namespace packages, src layout and test trees that are not packages,
and errs on the side of more edges, never fewer. Importing ``a.b.c`` also runs
``a`` and ``a.b``: those edges are added too.

Files are read once per content: scans are cached under ``.maestro/cache/``
keyed by the git blob id of each file's bytes (computed from the content, so a
fresh CI checkout hits the cache and an edited work tree misses it).
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from maestro_ci.sources.graph_files import RepoFiles, list_files
from maestro_ci.sources.pyscan import Scan

TEST_PATTERNS = ("test_*.py", "*_test.py")


@dataclass
class ImportGraph:
    """Modules, their internal imports, and what the scan could not read."""

    modules: dict[str, str]
    imports: dict[str, frozenset[str]]
    files: list[str] = field(default_factory=list)
    requested: dict[str, frozenset[str]] = field(default_factory=dict)
    dynamic: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    doctests: frozenset[str] = frozenset()
    test_files: frozenset[str] = frozenset()
    aliases: dict[str, frozenset[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    cache_hits: int = 0
    _by_path: dict[str, str] = field(default_factory=dict, repr=False)
    _reverse: dict[str, set[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {path: mod for mod, path in self.modules.items()}

    def module_of(self, path: str) -> str | None:
        """The module defined by a repo-relative file path, or None."""
        return self._by_path.get(path)

    def resolve(self, name: str) -> frozenset[str]:
        """Every module that answers to the dotted ``name`` under some root."""
        return self.aliases.get(name, frozenset())

    def reverse(self) -> dict[str, set[str]]:
        if self._reverse is None:
            rev: dict[str, set[str]] = {}
            for mod, deps in self.imports.items():
                for dep in deps:
                    rev.setdefault(dep, set()).add(mod)
            self._reverse = rev
        return self._reverse

    def importers_of(self, modules: Iterable[str]) -> set[str]:
        """All modules that reach any of ``modules`` through imports (transitively)."""
        rev = self.reverse()
        seen: set[str] = set()
        queue = deque(modules)
        while queue:
            for importer in rev.get(queue.popleft(), ()):
                if importer not in seen:
                    seen.add(importer)
                    queue.append(importer)
        return seen

    def chain(self, start: str, targets: set[str]) -> list[str]:
        """The shortest import chain from ``start`` to any of ``targets`` (for explanations)."""
        if start in targets:
            return [start]
        parent: dict[str, str] = {start: ""}
        queue = deque([start])
        while queue:
            mod = queue.popleft()
            for dep in sorted(self.imports.get(mod, ())):
                if dep in parent:
                    continue
                parent[dep] = mod
                if dep in targets:
                    path = [dep]
                    while parent[path[-1]]:
                        path.append(parent[path[-1]])
                    return path[::-1]
                queue.append(dep)
        return []


def is_test_file(path: str, patterns: Iterable[str] = TEST_PATTERNS) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def build_graph(
    root: Path,
    *,
    ref: str | None = None,
    test_patterns: Iterable[str] = TEST_PATTERNS,
    extra_roots: Iterable[str] = (),
    exclude: Iterable[str] = (),
    cache: bool = True,
) -> ImportGraph:
    """Scan every Python file of ``root`` (the work tree, or commit ``ref``) and link the imports."""
    from maestro_ci.sources.graph_cache import scan_all

    patterns = tuple(test_patterns)
    repo = list_files(root, ref, tuple(exclude))
    scans, hits, warnings = scan_all(root, repo, use_cache=cache)
    graph = link(repo, scans, patterns, tuple(extra_roots))
    graph.cache_hits = hits
    graph.warnings.extend(warnings)
    return graph


def source_roots(repo: RepoFiles, patterns: tuple[str, ...], extra: tuple[str, ...]) -> list[str]:
    """Folders that may be on ``sys.path`` ("" is the repository root), deepest first."""
    packages = {p.rsplit("/", 1)[0] if "/" in p else "" for p in repo.python if p.endswith("__init__.py")}
    roots = {"", *(r.strip("/") for r in extra)}
    if any(p.startswith("src/") for p in repo.python):
        roots.add("src")
    for path in repo.python:
        if is_test_file(path, patterns) or path.rsplit("/", 1)[-1] == "conftest.py":
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            while folder and folder in packages:
                folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
            roots.add(folder)
    return sorted(roots, key=lambda r: (-r.count("/") - (1 if r else 0), r))


def names_for(path: str, roots: list[str]) -> list[str]:
    stem = path[:-3]
    if stem.endswith("/__init__") or stem == "__init__":
        stem = stem[: -len("__init__")].rstrip("/")
    out = []
    for root in roots:
        if root and not stem.startswith(root + "/"):
            continue
        rel = stem[len(root) + 1 :] if root else stem
        if rel:
            out.append(rel.replace("/", "."))
    return out


def link(
    repo: RepoFiles, scans: dict[str, Scan], patterns: tuple[str, ...], extra: tuple[str, ...]
) -> ImportGraph:
    roots = source_roots(repo, patterns, extra)
    modules: dict[str, str] = {}
    aliases: dict[str, set[str]] = {}
    all_names: dict[str, list[str]] = {}
    for path in repo.python:
        names = names_for(path, roots) or [path[:-3].replace("/", ".")]
        canonical = next((n for n in names if n not in modules), path[:-3].replace("/", ".") + "@" + path)
        modules[canonical] = path
        all_names[canonical] = names
        for name in {canonical, *names}:
            aliases.setdefault(name, set()).add(canonical)
    frozen = {name: frozenset(mods) for name, mods in aliases.items()}
    graph = ImportGraph(modules=modules, imports={}, files=repo.all, aliases=frozen, roots=roots)
    imports: dict[str, frozenset[str]] = {}
    requested: dict[str, frozenset[str]] = {}
    for mod, path in modules.items():
        scan = scans.get(path)
        if scan is None or scan.error:
            graph.errors[path] = scan.error if scan and scan.error else "not readable"
            imports[mod] = frozenset(_parents(mod, frozen))
            continue
        names_wanted = set().union(*(_requested(name, path, scan) for name in all_names[mod]))
        deps: set[str] = set()
        for name in names_wanted:
            for dep in frozen.get(name, ()):
                deps.add(dep)
                deps.update(_parents(dep, frozen))
        for prefix in scan.prefixes:
            deps.update(m for name, ms in frozen.items() if name.startswith(prefix) for m in ms)
        for text in scan.strings:
            parts = text.split(".")
            for cut in range(len(parts), 1, -1):
                found = frozen.get(".".join(parts[:cut]))
                if found:
                    deps.update(found)
                    break
        deps.update(_parents(mod, frozen))
        deps.discard(mod)
        imports[mod] = frozenset(deps)
        requested[mod] = frozenset(names_wanted)
        if scan.dynamic:
            graph.dynamic[mod] = scan.dynamic
    graph.imports = imports
    graph.requested = requested
    graph.doctests = frozenset(m for m, p in modules.items() if (s := scans.get(p)) and s.doctest)
    graph.test_files = frozenset(p for p in repo.python if is_test_file(p, patterns))
    return graph


def _parents(mod: str, aliases: dict[str, frozenset[str]]) -> set[str]:
    parts = mod.split(".")
    out: set[str] = set()
    for cut in range(1, len(parts)):
        out.update(aliases.get(".".join(parts[:cut]), ()))
    return out


def _requested(mod: str, path: str, scan: Scan) -> set[str]:
    package = mod if path.endswith("__init__.py") else mod.rpartition(".")[0]
    wanted: set[str] = set()
    for level, name, members in scan.imports:
        if level:
            parts = package.split(".") if package else []
            if level - 1 > len(parts):
                continue
            base_parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
            base = ".".join([*base_parts, name] if name else base_parts)
        else:
            base = name
        if not base:
            wanted.update(members)
            continue
        wanted.add(base)
        wanted.update(f"{base}.{member}" for member in members)
    return wanted
