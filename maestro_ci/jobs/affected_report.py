"""Observation mode's verdict over one run: failed tests selection would have skipped."""

from __future__ import annotations

from maestro_ci.sources.observations import Observation


def missed(obs: Observation) -> list[str]:
    """Failed tests that neither their node id nor their file was in the would-be selection."""
    if obs.failed is None or obs.run_all_triggers:
        return []
    chosen = set(obs.would_select)
    return sorted(t for t in obs.failed if t not in chosen and t.split("::", 1)[0] not in chosen)
