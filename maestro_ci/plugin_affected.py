"""pytest feature: affected (registered by ``maestro_ci.pytest_plugin``).

``pytest --affected REF`` runs only the tests the change since REF can affect:
unaffected test files are not even collected, the rest is deselected. Always
kept: tests marked ``maestro_always``, tests that failed last time, tests never
seen before. ``--affected-observe`` runs everything and records what would have
been skipped; ``--affected-record-map FILE`` records the coverage map for
precise mode. Inert without these options.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SEEN_KEY = "maestro/affected/seen"


def addoption(group: Any, parser: Any) -> None:
    """Add this feature's options to the maestro-ci group."""
    group.addoption("--affected", metavar="REF", help="run only the tests the change since REF can affect")
    group.addoption(
        "--affected-head",
        metavar="REF",
        help="head of the change (default HEAD; WORKTREE for unstaged edits)",
    )
    group.addoption(
        "--affected-mode",
        choices=("static", "precise", "auto"),
        help="selection mode (default: selection.mode)",
    )
    group.addoption(
        "--affected-observe",
        action="store_true",
        help="run everything; record what --affected would have skipped",
    )
    group.addoption(
        "--affected-record-map", metavar="FILE", help="record the coverage map of precise mode into FILE"
    )


def load_initial_conftests(early_config: Any) -> None:
    """Start map recording before the first conftest is imported."""
    ns = early_config.known_args_namespace
    target = getattr(ns, "affected_record_map", None)
    if target and getattr(early_config, "_maestro_recorder", None) is None:
        from maestro_ci.sources.map_recorder import MapRecorder

        early_config._maestro_recorder = MapRecorder(_git_root(Path.cwd()))


def configure(config: Any) -> None:
    """Register this feature's hooks when its options are set."""
    opt = config.option
    if getattr(opt, "affected_record_map", None):
        from maestro_ci.plugin_affected_map import RecordPlugin

        config.pluginmanager.register(RecordPlugin(config), "maestro-affected-record")
    if getattr(opt, "affected", None) or getattr(opt, "affected_observe", False):
        config.pluginmanager.register(AffectedPlugin(config), "maestro-affected")


def _git_root(start: Path) -> Path:
    from maestro_ci.sources import git

    return git.repo_root(start) or start


class AffectedPlugin:
    def __init__(self, config: Any) -> None:
        import pytest

        from maestro_ci.commands.affected_inputs import collect
        from maestro_ci.errors import MaestroError
        from maestro_ci.jobs.affected import decide
        from maestro_ci.settings import resolve

        opt = config.option
        self.config = config
        self.observe = bool(opt.affected_observe)
        self.root = _git_root(Path(str(config.rootpath)))
        env = dict(os.environ)
        try:
            settings = resolve(self.root, None, env, {})
            inp = collect(
                self.root,
                settings.config.selection,
                env,
                base=opt.affected,
                head=opt.affected_head,
                mode=opt.affected_mode,
                observe=self.observe,
            )
            self.result = decide(inp)
        except MaestroError as exc:
            raise pytest.UsageError(f"--affected: {exc.diagnostics()}") from exc
        self.test_patterns = settings.config.selection.test_patterns
        details = self.result.details
        self.run_all = bool(details["triggers"])
        tests = [str(s["test"]) for s in details["selected"]]
        self.files = {(self.root / t).resolve() for t in tests if "::" not in t}
        self.nodeids = {t for t in tests if "::" in t}
        self.node_files = {(self.root / t.split("::", 1)[0]).resolve() for t in self.nodeids}
        cache = getattr(config, "cache", None)
        self.lastfailed: dict[str, Any] = cache.get("cache/lastfailed", {}) if cache else {}
        self.lastfailed_files = {
            (Path(str(config.rootpath)) / k.split("::", 1)[0]).resolve() for k in self.lastfailed
        }
        seen = cache.get(SEEN_KEY, None) if cache else None
        self.seen: set[str] | None = set(seen) if isinstance(seen, list) else None
        self.collected: list[str] = []
        self.failed: set[str] = set()
        self.line = ""
        self.would_run: set[str] = set()

    def _wanted_file(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved in self.files or resolved in self.node_files or resolved in self.lastfailed_files

    def pytest_ignore_collect(self, collection_path: Path, config: Any) -> bool | None:
        if (
            self.run_all
            or self.observe
            or collection_path.suffix != ".py"
            or collection_path.name == "conftest.py"
        ):
            return None
        from maestro_ci.sources.importgraph import is_test_file

        if not is_test_file(collection_path.name, self.test_patterns) or self._wanted_file(collection_path):
            return None
        try:
            if b"maestro_always" in collection_path.read_bytes():
                return None
        except OSError:
            return None
        return True

    def _keep(self, item: Any) -> tuple[bool, str]:
        if self.run_all:
            return True, "run-all"
        if (
            item.nodeid in self.nodeids
            or item.nodeid.split("[", 1)[0] in self.nodeids
            or Path(str(item.path)).resolve() in self.files
        ):
            return True, "selected"
        if item.get_closest_marker("maestro_always") is not None:
            return True, "always"
        if item.nodeid in self.lastfailed:
            return True, "failed last time"
        if self.seen is not None and item.nodeid not in self.seen:
            return True, "never seen"
        return False, ""

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        self.collected = [item.nodeid for item in items]
        kept, dropped, extra = [], [], 0
        for item in items:
            keep, why = self._keep(item)
            if keep:
                kept.append(item)
                extra += why not in ("selected", "run-all")
            else:
                dropped.append(item)
        summary = str(self.result.summary)
        if self.observe:
            self.would_run = {i.nodeid for i in kept}
            self.line = (
                f"maestro-ci affected (observe): running all {len(items)}; would run {len(kept)} — {summary}"
            )
            return
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        self.line = (
            f"maestro-ci affected: {len(kept)} of {len(items) + len(dropped)} collected tests selected"
        )
        self.line += f" ({extra} kept as always/failed/new)" if extra else ""
        self.line += f" — {summary}"

    def pytest_report_collectionfinish(self, config: Any, start_path: Any, items: list[Any]) -> str:
        return self.line

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self, session: Any) -> None:
        cache = getattr(self.config, "cache", None)
        if cache is not None and self.collected:
            cache.set(SEEN_KEY, sorted(set(self.seen or ()) | set(self.collected)))
        if self.observe:
            from maestro_ci.sources.observations import record_observation

            record_observation(
                self.root,
                self.result,
                "pytest",
                ran=len(self.collected),
                failed=sorted(self.failed),
                would_select=sorted(self.would_run),
            )
