"""pytest feature: ``--shard K/N`` runs shard K of the plan; ``--store-durations`` records timings.

Inert unless one of its options is given. The shard is planned with the same
job, store, config and node ids as ``maestro-ci shard --collect``, so the CLI
and the plugin give identical groups. An empty shard runs nothing and exits 0.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def addoption(group: Any, parser: Any) -> None:
    """Add this feature's options to the maestro-ci group."""
    group.addoption("--shard", metavar="K/N", help="run shard K of N, planned from the timing store")
    group.addoption(
        "--shard-by",
        choices=("file", "class", "test"),
        default=None,
        help="planning unit (default: shard.by)",
    )
    group.addoption("--timings-store", metavar="FILE", help="timing store (default: timings.store)")
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
    import pytest

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
        return Path(given) if Path(given).is_absolute() else Path(config.invocation_params.dir) / given
    path = Path(settings.config.timings.store)
    return path if path.is_absolute() else settings.base_dir / path


def configure(config: Any) -> None:
    """Register this feature's hooks when its options are set."""
    shard = config.getoption("shard", None)
    record = config.getoption("maestro_store_durations", False)
    if not shard and not record:
        return
    if hasattr(config, "workerinput"):  # pytest-xdist worker: the controller does the work
        return
    import pytest

    from maestro_ci.errors import MaestroError
    from maestro_ci.sources.timing_store import load_store

    k, n = parse_shard(shard) if shard else (0, 0)
    try:
        settings = _settings(config)
        store = load_store(_store_path(config, settings))
    except MaestroError as exc:
        raise pytest.UsageError(f"maestro-ci: {exc.diagnostics()}") from None
    if shard:
        config.pluginmanager.register(ShardSelector(config, settings, k, n, store), "maestro-ci-shard")
    if record:
        config.pluginmanager.register(DurationRecorder(config, settings, store), "maestro-ci-durations")


def _process_age() -> float | None:
    """Seconds since this Python process started (Linux /proc), else None."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


class ShardSelector:
    def __init__(self, config: Any, settings: Any, k: int, n: int, store: Any) -> None:
        self.config, self.settings, self.k, self.n, self.store = config, settings, k, n, store
        self.empty = False

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
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
        chosen = set(planned.shard(self.k).tests)
        keep = [item for item in items if item.nodeid in chosen]
        drop = [item for item in items if item.nodeid not in chosen]
        self.empty = not keep
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            note = " (empty: nothing to run here)" if self.empty else ""
            reporter.write_line(
                f"maestro-ci: shard {self.k}/{self.n}: {len(keep)} of {len(keep) + len(drop)} tests, "
                f"predicted {planned.shard(self.k).predicted:.1f}s, plan {planned.digest[:12]}{note}"
            )

    def pytest_sessionfinish(self, session: Any, exitstatus: int) -> None:
        if self.empty and int(exitstatus) == 5:  # no tests collected: an empty shard succeeds
            session.exitstatus = 0


class DurationRecorder:
    def __init__(self, config: Any, settings: Any, store: Any) -> None:
        self.config, self.settings, self.store = config, settings, store
        self.started = time.perf_counter()
        self.collected: float | None = None
        self.phases: dict[str, dict[str, Any]] = {}

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
        from maestro_ci.sources.nodeids import stabilise
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
        report.overhead.append(round(max(self.collected or 0.0, wall - tests), 6))
        cfg = self.settings.config.timings
        path = _store_path(self.config, self.settings)
        store = self.store
        batch = f"pytest-{os.getpid()}-{time.time_ns()}"
        limits = Limits(window=cfg.window, drop_after=cfg.drop_after_runs, max_evidence=cfg.max_evidence)
        new, _ = ingest(store, [report], batch, os.environ.get("GITHUB_SHA", ""), limits)
        save_store(path, new)
