"""Observation records: what selection would have skipped, and which tests failed.

``--observe`` runs every test but writes one record per run under
``.maestro/affected/observations/``; ``maestro-ci affected report`` reads them
all to tell whether a skipped test ever failed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from maestro_ci.models import GateResult, Model

FOLDER = Path(".maestro") / "affected" / "observations"


class Observation(Model):
    """One observed run."""

    schema_version: int = 1
    kind: Literal["maestro-ci/affected-observation"] = "maestro-ci/affected-observation"
    source: str = Field(description="'cli' or 'pytest'.")
    recorded_on: str
    base: str = ""
    head: str = ""
    run_all_triggers: list[str] = Field(default_factory=list)
    would_select: list[str] = Field(default_factory=list, description="Test files or node ids.")
    total: int = 0
    ran: int | None = None
    failed: list[str] | None = Field(default=None, description="Node ids that failed; null: not known yet.")


SCHEMA_EXPORTS = {"affected-observation": Observation}


def record_observation(
    root: Path,
    result: GateResult,
    source: str,
    ran: int | None = None,
    failed: list[str] | None = None,
    would_select: list[str] | None = None,
) -> Path:
    from maestro_ci.sources.store import atomic_write_text, dump_json

    now = datetime.now(UTC)
    rng = result.details.get("range") or {}
    obs = Observation(
        source=source,
        recorded_on=now.isoformat(timespec="seconds"),
        base=str(rng.get("base", "")),
        head=str(rng.get("head", "")),
        run_all_triggers=[str(t["message"]) for t in result.details.get("triggers", [])],
        would_select=sorted(would_select)
        if would_select is not None
        else [str(s["test"]) for s in result.details.get("selected", [])],
        total=int(result.details.get("total_known", 0)),
        ran=ran,
        failed=sorted(failed) if failed is not None else None,
    )
    folder = root / FOLDER
    name = f"{now.strftime('%Y%m%dT%H%M%S%f')}-{source}.json"
    path = folder / name
    atomic_write_text(path, dump_json(obs.model_dump(mode="json")))
    return path


def read_observations(root: Path) -> tuple[list[tuple[Path, Observation]], list[str]]:
    """All records, oldest first, and a warning per unreadable one (skipped, never fatal)."""
    folder = root / FOLDER
    out: list[tuple[Path, Observation]] = []
    warnings: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out.append((path, Observation.model_validate(json.loads(path.read_text(encoding="utf-8")))))
        except (OSError, ValueError, ValidationError, UnicodeDecodeError) as exc:
            warnings.append(f"{path.name}: not a valid observation ({type(exc).__name__}); skipped")
    return out, warnings


def save_observation(path: Path, obs: Observation, **changes: Any) -> None:
    from maestro_ci.sources.store import atomic_write_text, dump_json

    atomic_write_text(path, dump_json(obs.model_copy(update=changes).model_dump(mode="json")))
