"""The coverage map of precise mode: which test executed which line, as a plain versioned file.

One map per shard (``pytest --affected-record-map FILE``), merged with
``maestro-ci affected merge-maps``. Lines run outside any test (at import or
collection time) are kept apart in ``import_lines``: a change there reaches
every test that imports the module. Each file carries the git blob id it was
recorded with, so a map is only trusted for files whose content it saw. Tracked
Python files that no test imported are listed too, with their blob ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from maestro_ci.errors import InputError
from maestro_ci.models import Model

KIND = "maestro-ci/affected-map"
MAP_VERSION = 1


class MapFile(Model):
    """One source file: its blob id, per line the indexes of the tests that ran it."""

    blob: str = Field(pattern=r"^[0-9a-f]{40,64}$")
    lines: dict[str, list[int]] = Field(
        default_factory=dict, description="Line number (as text) → indexes into 'tests'."
    )
    import_lines: list[int] = Field(
        default_factory=list, description="Lines executed outside any test (import/collection time)."
    )
    shared_lines: list[int] = Field(
        default_factory=list,
        description="Lines executed while setting up a fixture of class, module, package or session "
        "scope: their result is shared by tests that never ran them.",
    )


class CoverageMap(Model):
    """``.maestro/affected-map.json``: recorded on the default branch, read on pull requests."""

    schema_version: int = MAP_VERSION
    kind: Literal["maestro-ci/affected-map"] = "maestro-ci/affected-map"
    repository: str = Field(description="Root commit(s) of the repository the map belongs to.")
    commit: str = Field(description="Commit the tests ran on.")
    tests: list[str] = Field(default_factory=list, description="Node ids, sorted.")
    files: dict[str, MapFile] = Field(default_factory=dict)
    shards: int = Field(default=1, ge=1, description="How many shard maps were merged into this one.")
    opaque: list[int] = Field(
        default_factory=list,
        description="Indexes of tests that started a subprocess: coverage cannot see into it, "
        "so they run whenever precise mode narrows a change.",
    )
    unimported: dict[str, str] = Field(
        default_factory=dict,
        description="Tracked Python files no test imported while the map was recorded (path → git "
        "blob id), e.g. modules for another platform: a change to one of them, at that content, "
        "reaches only the tests in 'opaque'.",
    )

    def tests_of(self, path: str, lines: set[int]) -> set[str]:
        entry = self.files.get(path)
        if entry is None:
            return set()
        return {self.tests[i] for line in lines for i in entry.lines.get(str(line), ())}


SCHEMA_EXPORTS = {"affected-map": CoverageMap}


def repository_id(root: Path) -> str:
    from maestro_ci.sources import git

    roots = git.run_git(["rev-list", "--max-parents=0", "HEAD"], root).split()
    return ",".join(sorted(roots))


def load_map(path: Path) -> CoverageMap:
    """Read and validate a map; a corrupt or foreign file is an :class:`InputError`."""
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(
            "coverage map not found",
            file=str(path),
            fix="record one with 'pytest --affected-record-map FILE' on the default branch, "
            "or use --mode static",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"coverage map not readable ({exc})", file=str(path), fix="delete it and record it again"
        ) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(
            f"coverage map is not valid JSON ({exc})", file=str(path), fix="delete it and record it again"
        ) from exc
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise InputError(
            "not a maestro-ci coverage map",
            file=str(path),
            fix="point --map at a file written by --affected-record-map",
        )
    if data.get("schema_version") != MAP_VERSION:
        raise InputError(
            f"coverage map schema_version {data.get('schema_version')!r} is not {MAP_VERSION}",
            file=str(path),
            fix="record the map again with this version of maestro-ci",
        )
    try:
        cmap = CoverageMap.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"coverage map is invalid at {where}: {first['msg']}", file=str(path), fix="record it again"
        ) from exc
    bad = [
        i
        for f in cmap.files.values()
        for ids in f.lines.values()
        for i in ids
        if not 0 <= i < len(cmap.tests)
    ]
    if bad:
        raise InputError(
            "coverage map refers to tests it does not list", file=str(path), fix="record it again"
        )
    return cmap


def save_map(path: Path, cmap: CoverageMap) -> None:
    from maestro_ci.sources.store import atomic_write_text, dump_json

    atomic_write_text(path, dump_json(cmap.model_dump(mode="json")))


def merge_maps(maps: list[tuple[str, CoverageMap]]) -> CoverageMap:
    """Merge shard maps of one commit and one repository, deterministically."""
    if not maps:
        raise InputError("no coverage map to merge", fix="pass one or more map files")
    first_name, first = maps[0]
    for name, cmap in maps[1:]:
        if cmap.repository != first.repository:
            raise InputError(
                "coverage maps come from different repositories",
                file=name,
                fix=f"merge only maps of {first_name}'s repository",
            )
        if cmap.commit != first.commit:
            raise InputError(
                f"coverage map was recorded at {cmap.commit[:12]}, not {first.commit[:12]}",
                file=name,
                fix="merge the shard maps of one run (one commit)",
            )
    tests = sorted({t for _, m in maps for t in m.tests})
    index = {t: i for i, t in enumerate(tests)}
    files: dict[str, dict[str, set[int]]] = {}
    imports: dict[str, set[int]] = {}
    shared: dict[str, set[int]] = {}
    blobs: dict[str, str] = {}
    for name, cmap in maps:
        for path, entry in cmap.files.items():
            if blobs.setdefault(path, entry.blob) != entry.blob:
                raise InputError(
                    f"two shard maps saw different contents of {path}",
                    file=name,
                    fix="merge the shard maps of one run",
                )
            lines = files.setdefault(path, {})
            for line, ids in entry.lines.items():
                lines.setdefault(line, set()).update(index[cmap.tests[i]] for i in ids)
            imports.setdefault(path, set()).update(entry.import_lines)
            shared.setdefault(path, set()).update(entry.shared_lines)
    # unimported in the merge: no shard imported it (every map lists it, with one content)
    unimported = {
        path: blob
        for path, blob in sorted(first.unimported.items())
        if path not in files and all(m.unimported.get(path) == blob for _, m in maps)
    }
    return CoverageMap(
        repository=first.repository,
        commit=first.commit,
        tests=tests,
        unimported=unimported,
        files={
            path: MapFile(
                blob=blobs[path],
                lines={k: sorted(v) for k, v in sorted(files[path].items(), key=lambda kv: int(kv[0]))},
                import_lines=sorted(imports[path]),
                shared_lines=sorted(shared[path]),
            )
            for path in sorted(files)
        },
        shards=sum(m.shards for _, m in maps),
        opaque=sorted({index[m.tests[i]] for _, m in maps for i in m.opaque}),
    )
