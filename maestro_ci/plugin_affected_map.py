"""pytest feature: record the coverage map of precise mode (``--affected-record-map FILE``).

Each test runs in its own coverage.py dynamic context named by its node id;
what runs outside any test (imports, collection) stays in the empty context.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maestro_ci.sources.map_recorder import MapRecorder


class RecordPlugin:
    def __init__(self, config: Any) -> None:
        from maestro_ci.plugin_affected import _git_root

        recorder = getattr(config, "_maestro_recorder", None)
        self.recorder: MapRecorder = recorder or MapRecorder(_git_root(Path.cwd()))
        self.out = Path(config.option.affected_record_map)
        self.config = config

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Iterator[None]:
        self.recorder.switch(item.nodeid)
        yield
        self.recorder.switch("")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Iterator[None]:
        from maestro_ci.sources.map_recorder import SHARED

        previous = self.recorder.current
        widen = fixturedef.scope != "function" and previous and SHARED not in previous
        if widen:
            self.recorder.switch(previous + SHARED)
        yield
        if widen:
            self.recorder.switch(previous)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: Any) -> None:
        cmap = self.recorder.finish(
            self.out if self.out.is_absolute() else Path(str(self.config.invocation_params.dir)) / self.out
        )
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"maestro-ci affected: coverage map of {len(cmap.tests)} tests, {len(cmap.files)} files -> {self.out}"
            )
