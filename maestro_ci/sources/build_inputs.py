"""What a provenance statement is made of, read from disk: run results, lock files, SBOMs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.models import RunRecord
from maestro_ci.provenance_models import CYCLONEDX_MEDIA, Artifact, RecordedResult
from maestro_ci.runs import RUN_FILE, load_result
from maestro_ci.sources.digests import sha256_many, sha256_of

LOCK_PATTERNS = (
    "requirements*.txt",
    "requirements/*.txt",
    "constraints*.txt",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "pylock.toml",
    "pylock.*.toml",
)
SBOM_NAME = "provenance.sbom.cdx.json"


def is_result_file(path: Path) -> bool:
    name = path.name
    return name != RUN_FILE and not name.startswith("provenance") and not name.endswith(".intoto.json")


@dataclass
class RunInputs:
    results: list[RecordedResult] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    records: list[RunRecord] = field(default_factory=list)
    sboms: list[Artifact] = field(default_factory=list)


def read_runs(run_dirs: list[Path]) -> RunInputs:
    """Every gate result of the runs with the digest of its bytes; broken files named."""
    out = RunInputs()
    for run_dir in run_dirs:
        prefix = run_dir.name
        run_file = run_dir / RUN_FILE
        if run_file.is_file():
            try:
                out.records.append(RunRecord.model_validate_json(run_file.read_bytes()))
            except ValueError as exc:
                out.broken[f"{prefix}/{RUN_FILE}"] = str(exc).splitlines()[0]
        for path in sorted(run_dir.glob("*.json")):
            if not is_result_file(path):
                continue
            try:
                result = load_result(path)
            except InputError as exc:
                where = f" ({exc.place})" if exc.place else ""
                out.broken[f"{prefix}/{path.name}"] = exc.message + where
                continue
            out.results.append(RecordedResult(f"{prefix}/{path.name}", sha256_of(path), result))
        sbom = run_dir / SBOM_NAME
        if sbom.is_file():
            out.sboms.append(Artifact(f"{prefix}/{SBOM_NAME}", sha256_of(sbom), CYCLONEDX_MEDIA))
    return out


def lock_files(root: Path) -> list[Artifact]:
    """Dependency lock files at the repository root, with their digests."""
    found = sorted({p for pattern in LOCK_PATTERNS for p in root.glob(pattern) if p.is_file()})
    digests = sha256_many(found, what="lock file")
    return [Artifact(p.relative_to(root).as_posix(), d) for p, d in zip(found, digests, strict=True)]


def subject_name(path: Path, cwd: Path) -> str:
    """How a subject is named: its path relative to the working folder when inside it."""
    absolute = path if path.is_absolute() else cwd / path
    try:
        return absolute.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def shown(path: Path, cwd: Path) -> str:
    """A path for messages: relative when inside ``cwd``, absolute otherwise."""
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def default_run_dir(run_dir: Path) -> Path:
    """This run's folder when it exists, else the most recently changed run folder beside it."""
    if run_dir.is_dir() or not run_dir.parent.is_dir():
        return run_dir
    folders = [p for p in run_dir.parent.iterdir() if p.is_dir()]
    if not folders:
        return run_dir
    return max(folders, key=lambda p: (p.stat().st_mtime_ns, p.name))
