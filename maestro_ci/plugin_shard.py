"""pytest feature: ``--shard K/N`` runs shard K of the plan; ``--store-durations`` records timings.

Inert unless one of its options is given. The shard is planned with the same
job, store, config and node ids as ``maestro-ci shard --collect``, so the CLI
and the plugin give identical groups. With ``--shard-plan FILE`` the shard runs
its part of a plan made once for the whole run (``maestro-ci shard --format
json``), reads nothing else, and does not collect the test files the plan gives
only to other shards. An empty shard runs nothing and exits 0.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest


def addoption(group: Any, parser: Any) -> None:
    """Add this feature's options to the maestro-ci group."""
    group.addoption(
        "--shard",
        metavar="K/N",
        help="run shard K of N, planned from the timing store (with --shard-plan, K alone will do)",
    )
    group.addoption(
        "--shard-by",
        choices=("file", "class", "test"),
        default=None,
        help="planning unit (default: shard.by)",
    )
    group.addoption("--timings-store", metavar="FILE", help="timing store (default: timings.store)")
    group.addoption(
        "--shard-plan",
        metavar="FILE",
        help="run shard K of this plan ('maestro-ci shard --format json') instead of planning here",
    )
    # pytest-split owns --store-durations when it is installed; --maestro-store-durations always works.
    names = (
        ["--maestro-store-durations"]
        if _pytest_split_installed()
        else ["--store-durations", "--maestro-store-durations"]
    )
    group.addoption(
        *names,
        action="store_true",
        default=False,
        dest="maestro_store_durations",
        help="record this run in the timing store",
    )


def _pytest_split_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("pytest_split") is not None


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--shard expects K/N, e.g. --shard 2/4; got {text!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise pytest.UsageError(f"--shard {text}: need N >= 1 and 1 <= K <= N")
    return k, n


def _settings(config: Any) -> Any:
    from maestro_ci.settings import resolve

    return resolve(Path(str(config.rootpath)), None, dict(os.environ))


def _store_path(config: Any, settings: Any) -> Path:
    """``--timings-store`` is relative to where pytest started; ``timings.store`` to the repo root."""
    given = config.getoption("timings_store")
    if given:
        return _given_path(config, given)
    path = Path(settings.config.timings.store)
    return path if path.is_absolute() else settings.base_dir / path


def _given_path(config: Any, given: str) -> Path:
    """A path option, relative to the folder pytest started in."""
    return Path(given) if Path(given).is_absolute() else Path(config.invocation_params.dir) / given


def _planned_shard(config: Any, plan_file: str, shard: str) -> PlannedShard:
    """``--shard K/N`` (or just ``--shard K``: N is the plan's) of the plan in ``plan_file``."""
    from maestro_ci.sources.plan_file import read_assignment

    if config.getoption("shard_by"):
        raise pytest.UsageError("--shard-by has no effect with --shard-plan: the plan fixed the unit")
    assignment = read_assignment(_given_path(config, plan_file))
    k, n = parse_shard(shard if "/" in shard else f"{shard}/{assignment.total}")
    if assignment.total != n:
        raise pytest.UsageError(
            f"--shard {k}/{n}: the plan in {plan_file} has {assignment.total} shards; "
            f"pass --shard K/{assignment.total}, or plan again with --shards {n}"
        )
    root = Path(str(config.rootpath))
    _check_root(config, root, assignment, plan_file)
    return PlannedShard(k, n, assignment, root, config)


def _check_root(config: Any, root: Path, assignment: Any, plan_file: str) -> None:
    """Refuse a rootdir under which none of the plan's test files exist.

    Node ids are relative to pytest's rootdir. pytest also counts an option's value given as a
    separate argument (``--shard-plan ../plan.json``) as a path when it picks the rootdir, so
    a plan kept outside the project can move the rootdir; no planned test would then match
    and the shard would run whatever its node ids hash to, not the plan.
    """

    files = sorted(assignment.first_shard_of_file)
    if not files or any((root / name).exists() for name in files):
        return
    started = Path(config.invocation_params.dir)
    where = next((d for d in (started, *started.parents) if (d / files[0]).exists()), None)
    found = f"they are under {where}" if where else "they are not under the folder pytest started in"
    raise pytest.UsageError(
        f"--shard-plan {plan_file}: none of the plan's test files (e.g. {files[0]}) is under "
        f"pytest's rootdir {root}; {found}. Write the option as --shard-plan={plan_file} "
        "(pytest takes a separate option value that names a file into its rootdir choice), "
        "or pass --rootdir, or plan again from this rootdir"
    )


def configure(config: Any) -> None:
    """Register this feature's hooks when its options are set."""
    shard = config.getoption("shard", None)
    plan_file = config.getoption("shard_plan", None)
    record = config.getoption("maestro_store_durations", False)
    if not shard and not record and not plan_file:
        return

    from maestro_ci.errors import MaestroError

    # pytest-xdist: every worker collects, so every worker selects the shard (all alike, as
    # xdist requires); the controller records, and learns from the workers whether it is empty.
    worker = hasattr(config, "workerinput")
    record = record and not worker
    if plan_file and not shard:
        raise pytest.UsageError("--shard-plan FILE needs --shard K: which shard of the plan to run")
    inline = bool(shard) and not plan_file  # plan here, from the store
    k, n = parse_shard(shard) if inline else (0, 0)
    selection: _Selection | None = None
    try:
        if plan_file:
            selection = _planned_shard(config, plan_file, shard)
        if inline or record:
            from maestro_ci.sources.timing_store import load_store

            settings = _settings(config)
            store = load_store(_store_path(config, settings))
            if inline:
                selection = ShardSelector(config, settings, k, n, store)
            if record:
                recorder = DurationRecorder(config, settings, store)
                config.pluginmanager.register(recorder, "maestro-ci-durations")
    except MaestroError as exc:
        raise pytest.UsageError(f"maestro-ci: {exc.diagnostics()}") from None
    if selection is not None:
        config.pluginmanager.register(selection, "maestro-ci-shard")
        if not worker and _xdist_distributes(config):  # xdist controller: the workers collect
            config.pluginmanager.register(_XdistController(selection), "maestro-ci-shard-xdist")


def _xdist_distributes(config: Any) -> bool:
    """Whether pytest-xdist will run this session on workers (its own test, before it registers)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return False
    return str(config.getoption("dist", "no")) != "no" and not config.getoption("collectonly", False)


def _process_age() -> float | None:
    """Seconds since this Python process started (Linux /proc), else None."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


class _Selection:
    """Keep this shard's items, report what it runs, and let an empty shard exit 0."""

    k: int
    n: int
    empty = False
    predicted = 0.0  # seconds, set by keep()
    digest = ""
    extra = ""  # anything else the shard line should say

    def keep(self, config: Any, items: list[Any]) -> list[Any]:
        raise NotImplementedError

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        total = len(items)
        keep = self.keep(config, items)
        chosen = {id(item) for item in keep}
        drop = [item for item in items if id(item) not in chosen]
        self.empty = not keep
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            note = " (empty: nothing to run here)" if self.empty else ""
            reporter.write_line(
                f"maestro-ci: shard {self.k}/{self.n}: {len(keep)} of {total} tests, "
                f"predicted {self.predicted:.1f}s, plan {self.digest[:12]}{note}{self.extra}"
            )

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        if self.empty and int(exitstatus) == 5:  # no tests collected: an empty shard succeeds
            session.exitstatus = 0


class _XdistController:
    """The pytest-xdist controller's part: report the shard and let an empty one exit 0.

    The controller does not collect; each worker selects the shard and reports the
    node ids it kept (``pytest_xdist_node_collection_finished``).
    """

    def __init__(self, selection: _Selection) -> None:
        self.selection = selection
        self.reported = False

    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        selection = self.selection
        selection.empty = not ids
        if self.reported:
            return
        self.reported = True
        reporter = node.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            planned = f", predicted {selection.predicted:.1f}s, plan {selection.digest[:12]}"
            reporter.write_line(
                f"maestro-ci: shard {selection.k}/{selection.n}: {len(ids)} tests, selected by "
                f"every xdist worker{planned if selection.digest else ''}"
            )


class ShardSelector(_Selection):
    """Plan in this process from the timing store, as ``maestro-ci shard --collect`` would."""

    def __init__(self, config: Any, settings: Any, k: int, n: int, store: Any) -> None:
        self.config, self.settings, self.k, self.n, self.store = config, settings, k, n, store

    def keep(self, config: Any, items: list[Any]) -> list[Any]:
        from maestro_ci.jobs.shard import plan

        cfg = self.settings.config.shard
        by = config.getoption("shard_by") or cfg.by
        planned = plan(
            [item.nodeid for item in items],
            self.store,
            self.n,
            by,
            cfg.default_test_seconds,
            cfg.fixed_cost_seconds,
        )
        shard = planned.shard(self.k)
        self.predicted, self.digest = shard.predicted, planned.digest
        if shard.tests:  # the plan charges a shard its own files; this one collected every file
            self.predicted = round(self.predicted + self._collected_elsewhere(items, shard.tests), 6)
        chosen = set(shard.tests)
        return [item for item in items if item.nodeid in chosen]

    def _collected_elsewhere(self, items: list[Any], mine: list[str]) -> float:
        from maestro_ci.sources.nodeids import module_of

        own = {module_of(t) for t in mine}
        every = {module_of(item.nodeid) for item in items}
        groups = self.store.groups
        return float(sum(groups[m].collect for m in sorted(every - own) if m in groups))


class PlannedShard(_Selection):
    """Run shard K of a plan made once for the run, collecting only the files it needs.

    A file the plan gives only to other shards is not collected (not imported,
    its tests not built): every test in it, planned or not, runs elsewhere (see
    ``PlanAssignment.shard_for``). Files the plan does not know are collected by
    every shard, and their tests spread by node id. pytest does not ask
    ``pytest_ignore_collect`` about a file named on the command line; such a file
    of other shards becomes a module with nothing in it, unless the command line
    names tests inside it (``FILE::test``), which pytest must then find.
    """

    def __init__(self, k: int, n: int, assignment: Any, root: Path, config: Any) -> None:
        self.k, self.n, self.assignment, self.root = k, n, assignment, root
        self.predicted, self.digest = assignment.predicted[k - 1], assignment.digest
        self.mine: frozenset[str] = assignment.files_of(k)
        self.not_collected: set[Path] = set()
        here = Path(config.invocation_params.dir)
        self.named_inside = {(here / arg.split("::", 1)[0]).resolve() for arg in config.args if "::" in arg}

    def _elsewhere(self, path: Path) -> bool:
        """A test file the plan gives only to other shards."""
        if path.name in ("conftest.py", "__init__.py"):
            return False
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:  # outside the root: node ids cannot name it
            return False
        return rel not in self.mine and rel in self.assignment.first_shard_of_file

    def pytest_ignore_collect(self, collection_path: Path, config: Any) -> bool | None:
        if not self._elsewhere(collection_path):
            return None
        self.not_collected.add(collection_path)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: Any) -> Any:
        # reached for files pytest_ignore_collect was not asked about: those named on the command line
        if not self._elsewhere(module_path) or module_path.resolve() in self.named_inside:
            return None
        self.not_collected.add(module_path)
        return _ModuleElsewhere.from_parent(parent, path=module_path)

    def keep(self, config: Any, items: list[Any]) -> list[Any]:
        keep, unplanned = [], 0
        for item in items:
            index, planned = self.assignment.shard_for(item.nodeid)
            unplanned += not planned
            if index == self.k:
                keep.append(item)
        notes = []
        if self.not_collected:
            notes.append(f"{len(self.not_collected)} files of other shards not collected")
        if unplanned:
            notes.append(f"{unplanned} collected tests are not in the plan: each runs on one shard")
        self.extra = "".join(f"; {note}" for note in notes)
        return keep


class _ModuleElsewhere(pytest.Module):
    """A test file named on the command line whose tests all run on other shards: not imported."""

    def collect(self) -> list[Any]:
        return []


class _ImportClock:
    """Time the imports a test module's body makes that load something new.

    Installed as ``builtins.__import__`` only while a test file is collected. An import
    statement run by the module itself (not by a library it imports) that adds modules to
    ``sys.modules`` is timed whole. In one process only the first test file to import a
    library pays for it, but every shard pays it again in its own process, so this time is
    not the module's: it stays in the fixed cost.
    """

    def __init__(self) -> None:
        self.spent = 0.0
        self._depth = 0
        self._real: Any = None

    def __enter__(self) -> _ImportClock:
        import builtins

        self._real = builtins.__import__
        builtins.__import__ = self._import
        return self

    def __exit__(self, *exc: object) -> None:
        import builtins

        if builtins.__import__ == self._import:  # leave anyone else's replacement alone
            builtins.__import__ = self._real

    def _import(
        self,
        name: str,
        globals: Any = None,  # the signature of __import__
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if self._depth:  # inside an import already being timed
            self._depth += 1
            try:
                return self._real(name, globals, locals, fromlist, level)
            finally:
                self._depth -= 1
        loaded, start = len(sys.modules), time.perf_counter()
        self._depth = 1
        try:
            return self._real(name, globals, locals, fromlist, level)
        finally:
            self._depth = 0
            if len(sys.modules) != loaded:
                self.spent += time.perf_counter() - start


class DurationRecorder:
    """Record test durations, fixture setup, per-module collection and the fixed cost of this run.

    Collection is timed per collector (exclusive of any collector made inside it) and put on
    the module the collector belongs to: a ``Module`` and its ``Class`` collectors are the
    import of the file and the building of its tests, less the libraries it imported first
    (``_ImportClock``). Directory and package collectors, ``conftest.py`` files and those
    library imports stay in the fixed cost: what the process spends outside tests and the
    collection of its own modules.
    """

    def __init__(self, config: Any, settings: Any, store: Any) -> None:
        self.config, self.settings, self.store = config, settings, store
        self.started = time.perf_counter()
        self.collected: float | None = None
        self.phases: dict[str, dict[str, Any]] = {}
        self.collect: dict[str, float] = {}
        self._nested: list[float] = []  # time spent in collectors inside the open ones
        self._clocked = False  # an _ImportClock is installed

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: Any) -> Iterator[None]:
        clock = _ImportClock() if isinstance(collector, pytest.File) and not self._clocked else None
        self._clocked = self._clocked or clock is not None
        start = time.perf_counter()
        self._nested.append(0.0)
        try:
            if clock is None:
                yield
            else:
                with clock:
                    yield
        finally:
            took = time.perf_counter() - start
            own = took - self._nested.pop() - (clock.spent if clock else 0.0)
            self._clocked = self._clocked and clock is None
            if self._nested:
                self._nested[-1] += took
            if isinstance(collector, (pytest.File, pytest.Class)):
                from maestro_ci.sources.nodeids import module_of

                module = module_of(collector.nodeid)
                self.collect[module] = self.collect.get(module, 0.0) + max(0.0, own)

    def pytest_collection_finish(self, session: Any) -> None:
        self.collected = time.perf_counter() - self.started

    def pytest_runtest_logreport(self, report: Any) -> None:
        entry = self.phases.setdefault(report.nodeid, {"time": 0.0, "outcome": "passed", "setup": 0.0})
        entry["time"] += float(report.duration)
        if report.when == "setup":
            entry["setup"] = float(report.duration)
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        from maestro_ci.jobs.timings import Limits, ingest
        from maestro_ci.sources.junit import Case, Report
        from maestro_ci.sources.nodeids import module_of, stabilise
        from maestro_ci.sources.timing_store import save_store

        if not self.phases:
            return
        report = Report(path="pytest session")
        for nodeid, entry in self.phases.items():
            stable, volatile = stabilise(nodeid)
            case = Case(stable, entry["outcome"], round(entry["time"], 6), nodeid, [], volatile)
            case.setup = round(entry["setup"], 6)
            report.cases.append(case)
        tests = sum(entry["time"] for entry in self.phases.values())
        wall = _process_age() or (time.perf_counter() - self.started)
        modules = {module_of(nodeid) for nodeid in self.phases}
        report.collect = {m: round(t, 6) for m, t in sorted(self.collect.items()) if m in modules}
        outside = max(self.collected or 0.0, wall - tests) - sum(report.collect.values())
        report.overhead.append(round(max(0.0, outside), 6))
        cfg = self.settings.config.timings
        path = _store_path(self.config, self.settings)
        store = self.store
        batch = f"pytest-{os.getpid()}-{time.time_ns()}"
        limits = Limits(window=cfg.window, drop_after=cfg.drop_after_runs, max_evidence=cfg.max_evidence)
        new, _ = ingest(store, [report], batch, os.environ.get("GITHUB_SHA", ""), limits)
        save_store(path, new)
