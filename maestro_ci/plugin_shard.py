"""pytest feature: shard (registered by ``maestro_ci.pytest_plugin``)."""

from __future__ import annotations

from typing import Any


def addoption(group: Any, parser: Any) -> None:
    """Add this feature's options to the maestro-ci group."""


def configure(config: Any) -> None:
    """Register this feature's hooks when its options are set."""
