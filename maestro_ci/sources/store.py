"""Files on disk: atomic writes, careful reads, and the run-record folder.

Every writer in maestro-ci goes through :func:`atomic_write_text` (temp file in
the same folder, fsync, rename), so a crash never leaves half a file and the
previous content survives until the new one is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file + fsync + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where we can
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def dump_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_text(path: Path, what: str = "file") -> str:
    """Read a UTF-8 text file, turning every failure into one clear :class:`InputError`."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{what} not found", file=name, fix="check the path, or create the file")
    if path.is_dir():
        raise InputError(f"expected a {what}, found a directory", file=name, fix="name a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {what}: {exc.strerror}", file=name, fix="check its permissions"
        ) from exc
    if b"\x00" in data[:8192]:
        raise InputError(f"{what} is binary, expected text", file=name, fix="name a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{what} is not valid UTF-8 (byte {exc.start})",
            file=name,
            place=f"line {line}",
            fix="save the file as UTF-8",
        ) from exc


def read_json(path: Path, what: str = "JSON file") -> Any:
    """Parse a JSON file; a syntax error names the line and column."""
    text = read_text(path, what)
    if not text.strip():
        raise InputError(f"{what} is empty", file=str(path), fix="write a JSON document")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}",
            file=str(path),
            place=f"line {exc.lineno}, column {exc.colno}",
            fix="fix the JSON syntax at that place",
        ) from exc


def refuse_newer(data: Any, supported: int, what: str, file: str, fix: str) -> None:
    """Refuse a document whose ``schema_version`` is newer than this maestro-ci reads."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > supported:
        raise InputError(
            f"{what} has schema_version {version}, newer than this maestro-ci reads ({supported})",
            file=file,
            fix=fix,
        )


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def keep_aside(path: Path) -> Path:
    """Move a corrupt file aside (``name.corrupt-N``) so it is never overwritten; return where."""
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.corrupt-{n}")
        if not target.exists():
            path.replace(target)
            return target
    raise InputError("too many corrupt copies kept aside", file=str(path), fix="delete old ones")
