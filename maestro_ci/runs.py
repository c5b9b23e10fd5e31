"""Run records: ``.maestro/runs/<run-id>/`` with ``run.json`` and one file per gate result.

Writes are masked and atomic. Reading a run folder validates every file; a
corrupt one is reported by name and the rest still load.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from maestro_ci import __version__
from maestro_ci.errors import InputError
from maestro_ci.models import SCHEMA_VERSION, GateResult, RunRecord
from maestro_ci.sources.store import atomic_write_text, dump_json, read_json, refuse_newer

RUN_FILE = "run.json"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def result_file_name(name: str) -> str:
    return _SAFE.sub("-", name).strip("-.") + ".json"


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_model(path: Path, model: BaseModel, mask: Callable[[str], str]) -> None:
    atomic_write_text(path, mask(dump_json(model.model_dump(mode="json"))))


def record_result(
    run_dir: Path,
    run_id: str,
    result: GateResult,
    mask: Callable[[str], str],
    git_state: Mapping[str, object] | None = None,
    ci: Mapping[str, str] | None = None,
    name: str | None = None,
) -> Path:
    """Write ``result`` into the run folder and list it in ``run.json``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / result_file_name(name or result.gate)
    write_model(target, result, mask)
    run_file = run_dir / RUN_FILE
    stamp = now_iso()
    record: RunRecord
    if run_file.exists():
        try:
            old = RunRecord.model_validate(read_json(run_file, "run record"))
            record = old.model_copy(
                update={
                    "updated_on": stamp,
                    "results": sorted({*old.results, target.name}),
                    "git": old.git or dict(git_state or {}),
                }
            )
        except (InputError, ValidationError):
            record = _new_record(run_id, stamp, target.name, git_state, ci)
    else:
        record = _new_record(run_id, stamp, target.name, git_state, ci)
    write_model(run_file, record, mask)
    return target


def _new_record(
    run_id: str,
    stamp: str,
    first: str,
    git_state: Mapping[str, object] | None,
    ci: Mapping[str, str] | None,
) -> RunRecord:
    return RunRecord.model_validate(
        {
            "run_id": run_id,
            "tool_version": __version__,
            "started_on": stamp,
            "updated_on": stamp,
            "git": dict(git_state or {}),
            "ci": dict(ci or {}),
            "results": [first],
        }
    )


@dataclass
class LoadedRun:
    path: Path
    record: RunRecord | None
    results: list[GateResult] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)  # file name -> what is wrong


def load_result(path: Path) -> GateResult:
    data = read_json(path, "gate result")
    refuse_newer(data, SCHEMA_VERSION, "result", str(path), "upgrade maestro-ci to the version that wrote it")
    try:
        return GateResult.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "$"
        raise InputError(
            f"not a valid gate result at {where}: {first['msg']}",
            file=str(path),
            fix="regenerate it with the maestro-ci command that writes it",
        ) from exc


def load_run(run_dir: Path) -> LoadedRun:
    """Every readable result in a run folder; broken files are named, not fatal."""
    if not run_dir.is_dir():
        raise InputError(
            "run folder not found", file=str(run_dir), fix="list runs with 'maestro-ci runs list'"
        )
    record: RunRecord | None = None
    broken: dict[str, str] = {}
    run_file = run_dir / RUN_FILE
    if run_file.exists():
        try:
            record = RunRecord.model_validate(read_json(run_file, "run record"))
        except (InputError, ValidationError) as exc:
            broken[RUN_FILE] = str(exc).splitlines()[0]
    results: list[GateResult] = []
    for path in sorted(run_dir.glob("*.json")):
        if path.name == RUN_FILE or path.name.startswith("provenance") or path.name.endswith(".intoto.json"):
            continue
        try:
            results.append(load_result(path))
        except InputError as exc:
            broken[path.name] = exc.message
    return LoadedRun(run_dir, record, results, broken)


def list_runs(run_root: Path) -> list[LoadedRun]:
    if not run_root.is_dir():
        return []
    runs = [load_run(p) for p in run_root.iterdir() if p.is_dir()]
    return sorted(runs, key=lambda r: (r.record.started_on if r.record else "", r.path.name), reverse=True)


def prune(run_root: Path, keep: int) -> list[Path]:
    """Delete the oldest run folders beyond ``keep``; returns what was removed."""
    runs = list_runs(run_root)
    removed = [r.path for r in runs[keep:]]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
