"""SHA-256 of many files at disk speed: large buffers, ``readinto``, a thread pool.

``hashlib`` releases the GIL while it hashes a large buffer, so threads hash
several files at once; one reusable buffer per thread avoids allocations.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from maestro_ci.errors import InputError

BUFFER = 1 << 20  # 1 MiB reads
_local = threading.local()


def _buffer() -> bytearray:
    buf: bytearray | None = getattr(_local, "buf", None)
    if buf is None:
        buf = bytearray(BUFFER)
        _local.buf = buf
    return buf


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of one file, read in 1 MiB blocks into a reused buffer."""
    digest = hashlib.sha256()
    buf = _buffer()
    view = memoryview(buf)
    with path.open("rb", buffering=0) as handle:
        while n := handle.readinto(buf):
            digest.update(view[:n])
    return digest.hexdigest()


def check_subject(path: Path, what: str = "subject") -> None:
    """A subject must be an existing regular file (not a folder)."""
    if not path.exists():
        raise InputError(f"{what} not found", file=str(path), fix="build the artifact first, or fix the path")
    if path.is_dir():
        raise InputError(
            f"{what} is a directory, expected a file",
            file=str(path),
            fix="name the files inside it (a shell glob such as dist/* works), or archive the folder",
        )
    if not os.access(path, os.R_OK):
        raise InputError(f"{what} is not readable", file=str(path), fix="check its permissions")


def sha256_many(paths: Sequence[Path], workers: int | None = None, what: str = "subject") -> list[str]:
    """Digests of ``paths`` in the same order; every path is checked before any is read."""
    for path in paths:
        check_subject(path, what)
    if not paths:
        return []
    count = workers or min(32, (os.cpu_count() or 1) * 2)
    if len(paths) == 1 or count == 1:
        return [_one(p, what) for p in paths]
    with ThreadPoolExecutor(max_workers=min(count, len(paths))) as pool:
        return list(pool.map(lambda p: _one(p, what), paths))


def _one(path: Path, what: str) -> str:
    try:
        return sha256_of(path)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", file=str(path), fix="check the file") from exc


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, refusing duplicates (two subjects with one name cannot be told apart)."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        if name in seen:
            raise InputError(
                f"subject '{name}' is given twice", fix="name each artifact once (check your globs)"
            )
        seen.add(name)
        out.append(name)
    return out
