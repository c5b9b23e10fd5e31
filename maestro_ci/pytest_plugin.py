"""pytest front end (entry point ``pytest11``): a hub for the selection and shard features.

Inert unless one of its options is given. Each feature lives in its own
module with ``addoption(group)`` and ``configure(config)``; this hub only
forwards, so ``pytest`` without our options imports nothing heavy.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

FEATURES = ("maestro_ci.plugin_affected", "maestro_ci.plugin_shard")


def _features() -> list[ModuleType]:
    return [importlib.import_module(name) for name in FEATURES]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("maestro-ci", "maestro-ci: affected-test selection and sharding")
    for feature in _features():
        feature.addoption(group, parser)


def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> None:
    """Before the first conftest is imported: features that must start early (map recording)."""
    for feature in _features():
        hook = getattr(feature, "load_initial_conftests", None)
        if hook is not None:
            hook(early_config)


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "maestro_always: always run this test, whatever the selection")
    for feature in _features():
        feature.configure(config)
