"""maestro-ci: decide what to test, how to split it, and whether it may ship."""

from __future__ import annotations

__version__ = "0.1.0"
