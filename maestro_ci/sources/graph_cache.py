"""The import-graph scan cache: ``.maestro/cache/importgraph.json``, keyed by blob id.

A scan depends only on a file's bytes, so entries are keyed by content hash and
survive checkouts, branch switches and fresh CI clones (restore the folder
with ``actions/cache``). A cache that is corrupt, from another tool or from an
older scanner is ignored with a warning and rebuilt; it is never trusted.
"""

from __future__ import annotations

import json
from pathlib import Path

from maestro_ci.sources.graph_files import RepoFiles
from maestro_ci.sources.pyscan import Scan, scan_source

CACHE_FILE = Path(".maestro") / "cache" / "importgraph.json"
KIND = "maestro-ci/importgraph-cache"
SCANNER_VERSION = 4


def load(path: Path) -> tuple[dict[str, Scan], str | None]:
    """Cached scans by blob id, and a warning when the file had to be ignored."""
    if not path.exists():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("kind") != KIND:
            return {}, f"{path}: not a maestro-ci graph cache; ignored and rebuilt"
        if data.get("scanner") != SCANNER_VERSION:
            return {}, None  # an older scanner: silently rebuilt, nothing is wrong
        entries = data["entries"]
        return {str(k): Scan.from_json(v) for k, v in entries.items()}, None
    except (OSError, ValueError, KeyError, TypeError, AssertionError, IndexError) as exc:
        return {}, f"{path}: corrupt graph cache ({type(exc).__name__}); ignored and rebuilt"


def save(path: Path, scans: dict[str, Scan]) -> str | None:
    from maestro_ci.sources.store import atomic_write_text

    payload = {
        "kind": KIND,
        "scanner": SCANNER_VERSION,
        "entries": {k: scans[k].to_json() for k in sorted(scans)},
    }
    try:
        atomic_write_text(path, json.dumps(payload, separators=(",", ":")))
    except OSError as exc:
        return f"{path}: could not write the graph cache ({exc.strerror or exc})"
    return None


def scan_all(root: Path, repo: RepoFiles, use_cache: bool = True) -> tuple[dict[str, Scan], int, list[str]]:
    """Scans by path; returns also the number of cache hits and any warnings."""
    warnings: list[str] = []
    path = root / CACHE_FILE
    cached: dict[str, Scan] = {}
    if use_cache:
        cached, warning = load(path)
        if warning:
            warnings.append(warning)
    scans: dict[str, Scan] = {}
    missing = [p for p in repo.python if repo.blobs.get(p) not in cached]
    contents = repo.read(missing) if missing else {}
    fresh: dict[str, Scan] = {}
    for p in repo.python:
        blob = repo.blobs.get(p, "")
        if blob in cached:
            scans[p] = cached[blob]
            continue
        data = contents.get(p, "not readable")
        scan = Scan(error=data) if isinstance(data, str) else scan_source(data)
        scans[p] = scan
        if not blob.startswith("unreadable:") and isinstance(data, bytes):
            fresh[blob] = scan
    hits = len(repo.python) - len(missing)
    if use_cache and fresh:
        keep = {
            repo.blobs[p]: scans[p]
            for p in repo.python
            if repo.blobs.get(p) in cached or repo.blobs.get(p) in fresh
        }
        warning = save(path, keep)
        if warning:
            warnings.append(warning)
    return scans, hits, warnings
