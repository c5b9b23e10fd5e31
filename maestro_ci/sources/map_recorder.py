"""Record a coverage map with coverage.py dynamic contexts: one context per test node id.

Coverage starts before pytest imports the first ``conftest.py`` (the plugin
hub forwards ``pytest_load_initial_conftests``), so code run at import or
collection time is measured and lands in the empty context: ``import_lines``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maestro_ci.sources.coverage_map import CoverageMap, MapFile, repository_id
from maestro_ci.sources.graph_files import blob_id

SHARED = "\x1fshared"  # context suffix while a fixture of wider than function scope is set up


class MapRecorder:
    def __init__(self, root: Path) -> None:
        import coverage

        self.root = root.resolve()
        current = coverage.Coverage.current()
        self.owned = current is None
        self.cov: Any = current or coverage.Coverage(
            data_file=None,
            config_file=False,
            source=[str(self.root)],
            omit=[str(self.root / ".venv" / "*"), str(self.root / "venv" / "*")],
        )
        if self.owned:
            self.cov.start()
        self.current = ""
        self.opaque: set[str] = set()
        self._watch_processes()

    def switch(self, nodeid: str) -> None:
        self.current = nodeid
        self.cov.switch_context(nodeid)

    def _watch_processes(self) -> None:
        """Note each test that starts a process: what runs there is invisible to coverage."""
        import os
        import subprocess

        def watch(owner: Any, name: str, harmless: Any = None) -> None:
            original = getattr(owner, name, None)
            if original is None or getattr(original, "_maestro_watch", False):
                return

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if self.current and not (harmless is not None and harmless(*args, **kwargs)):
                    self.opaque.add(self.current.split(SHARED, 1)[0])
                return original(*args, **kwargs)

            wrapper._maestro_watch = True  # type: ignore[attr-defined]
            setattr(owner, name, wrapper)

        import inspect

        self._popen_signature = inspect.signature(subprocess.Popen.__init__)  # before wrapping
        watch(subprocess.Popen, "__init__", self._harmless_popen)
        for name in ("fork", "system", "posix_spawn", "posix_spawnp", "execv", "execve"):
            watch(os, name)

    def _harmless_popen(self, popen: Any, *args: Any, **kwargs: Any) -> bool:
        """A ``subprocess.Popen`` whose child cannot run or read the repository's code."""
        from maestro_ci.sources.child_processes import may_run_repository_code

        try:
            bound = self._popen_signature.bind(popen, *args, **kwargs).arguments
            return not may_run_repository_code(
                bound["args"],
                bound.get("executable"),
                bool(bound.get("shell", False)),
                self.root,
                bound.get("env"),
                bound.get("cwd"),
            )
        except (TypeError, ValueError, OSError):
            return False  # a call we cannot read: the test is opaque

    def _unimported(self, executed: set[str]) -> dict[str, str]:
        """Tracked Python files no test imported in this run, with the blob id of their content.

        coverage.py lists the unexecuted files of its source tree too, with no lines, so a file
        counts as never imported when none of its lines ran *and* it has a statement that runs
        on import (anything but a docstring): an empty module gives no line events even when it
        is imported, and is left to the other rules.
        """
        from maestro_ci.sources import git

        listed = git.run_git(["ls-files", "-z", "--", "*.py"], self.root).split("\0")
        out: dict[str, str] = {}
        for rel in sorted(p for p in listed if p and p not in executed):
            try:
                data = (self.root / rel).read_bytes()
            except OSError:  # deleted in the work tree, or not a file: leave it to static mode
                continue
            if _runs_on_import(data):
                out[rel] = blob_id(data)
        return out

    def finish(self, out: Path) -> CoverageMap:
        from maestro_ci.sources import git
        from maestro_ci.sources.coverage_map import save_map

        self.cov.switch_context("")
        if self.owned:
            self.cov.stop()
        data = self.cov.get_data()
        per_file: dict[str, dict[int, set[str]]] = {}
        shared: dict[str, set[int]] = {}
        tests: set[str] = set()
        for measured in data.measured_files():
            path = Path(measured)
            try:
                rel = path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                continue
            if not rel.endswith(".py"):
                continue
            lines = per_file.setdefault(rel, {})
            for line, contexts in data.contexts_by_lineno(measured).items():
                if any(SHARED in c for c in contexts):
                    shared.setdefault(rel, set()).add(line)
                names = {c.split(SHARED, 1)[0] for c in contexts}
                lines.setdefault(line, set()).update(names)
                tests.update(c for c in names if c)
        ordered = sorted(tests)
        index = {t: i for i, t in enumerate(ordered)}
        unimported = self._unimported({rel for rel, lines in per_file.items() if lines})
        files: dict[str, MapFile] = {}
        for rel in sorted(set(per_file) - set(unimported)):
            try:
                blob = blob_id((self.root / rel).read_bytes())
            except OSError:
                continue
            lines = per_file[rel]
            files[rel] = MapFile(
                blob=blob,
                lines={
                    str(line): sorted(index[c] for c in ctx if c)
                    for line, ctx in sorted(lines.items())
                    if any(ctx)
                },
                import_lines=sorted(line for line, ctx in lines.items() if "" in ctx),
                shared_lines=sorted(shared.get(rel, ())),
            )
        cmap = CoverageMap(
            repository=repository_id(self.root),
            commit=git.resolve_commit("HEAD", self.root),
            tests=ordered,
            files=files,
            opaque=sorted(index[t] for t in self.opaque if t in index),
            unimported=unimported,
        )
        save_map(out, cmap)
        return cmap


def _runs_on_import(source: bytes) -> bool:
    """Does importing this module execute a statement coverage would see (not just a docstring)?"""
    import ast

    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return False
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)
