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

        def watch(owner: Any, name: str) -> None:
            original = getattr(owner, name, None)
            if original is None or getattr(original, "_maestro_watch", False):
                return

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if self.current:
                    self.opaque.add(self.current.split(SHARED, 1)[0])
                return original(*args, **kwargs)

            wrapper._maestro_watch = True  # type: ignore[attr-defined]
            setattr(owner, name, wrapper)

        watch(subprocess.Popen, "_execute_child")
        for name in ("fork", "system", "posix_spawn", "posix_spawnp", "execv", "execve"):
            watch(os, name)

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
        files: dict[str, MapFile] = {}
        for rel in sorted(per_file):
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
        )
        save_map(out, cmap)
        return cmap
