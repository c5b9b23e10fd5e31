"""Reading and writing the timing store file (default ``.maestro/timings.json``).

A missing store is an empty one. A store written by a newer maestro-ci is refused
(never downgraded). A corrupt store is moved aside (``timings.json.corrupt-N``)
and named in the error, so it is never overwritten and a rerun starts clean.
Writes are atomic and deterministic (sorted keys).
"""

from __future__ import annotations

from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.sources.store import atomic_write_text, dump_json, read_json, refuse_newer
from maestro_ci.timing_model import STORE_SCHEMA_VERSION, TimingStore

DEFAULT_STORE = ".maestro/timings.json"


def load_store(path: Path, missing_ok: bool = True) -> TimingStore:
    """The store at ``path`` (empty when absent and ``missing_ok``)."""
    from pydantic import ValidationError

    if not path.exists() and missing_ok:
        return TimingStore()
    try:  # the common case in one pass (JSON parsed by pydantic-core); any doubt takes the checks below
        fast = TimingStore.model_validate_json(path.read_bytes())
        if fast.schema_version <= STORE_SCHEMA_VERSION:
            return fast
    except (OSError, ValueError):  # ValidationError is a ValueError
        pass
    try:
        data = read_json(path, "timing store")
    except InputError as exc:
        if not path.is_file():
            raise
        raise _corrupt(path, exc.message) from exc
    refuse_newer(
        data,
        STORE_SCHEMA_VERSION,
        "timing store",
        str(path),
        "upgrade maestro-ci, or point --store at a store this version wrote",
    )
    try:
        return TimingStore.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise _corrupt(path, f"invalid at {where}: {first['msg']}") from exc


def _corrupt(path: Path, problem: str) -> InputError:
    from maestro_ci.sources.store import keep_aside

    aside = keep_aside(path)
    return InputError(
        f"corrupt timing store ({problem}); it was moved aside to {aside.name} and left untouched",
        file=str(path),
        fix=f"inspect or delete {aside}; the next collect starts a new store",
    )


def save_store(path: Path, store: TimingStore) -> None:
    atomic_write_text(path, dump_json(store.model_dump(mode="json")))
