"""``maestro-ci secrets scan FILES``: findings as ``file:line: rule``, values never printed."""

from __future__ import annotations

import argparse
from pathlib import Path

from maestro_ci.frontend import Invocation

DESCRIPTION = "Scan files for secrets. Prints 'file:line: rule' per finding; never the value."
EPILOG = "example:\n  maestro-ci secrets scan src/ config/settings.yaml\n\nexit 1 when a secret is found."
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".maestro",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    scan = sub.add_parser("scan", help="scan files or folders")
    scan.add_argument("files", nargs="+", metavar="FILE")


def iter_files(names: list[str], base: Path) -> list[tuple[str, Path]]:
    from maestro_ci.errors import InputError

    out: list[tuple[str, Path]] = []
    for name in names:
        path = Path(name) if Path(name).is_absolute() else base / name
        if not path.exists():
            raise InputError("file not found", file=name, fix="check the path")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not SKIP_DIRS.intersection(child.relative_to(path).parts):
                    out.append(((Path(name) / child.relative_to(path)).as_posix(), child))
        else:
            out.append((name, path))
    return out


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.models import GateResult, Location, Reason, Status

    masker = inv.settings.masker
    findings = []
    scanned = 0
    for shown, path in iter_files(args.files, inv.cwd):
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            continue  # binary
        scanned += 1
        findings += masker.findings(data.decode("utf-8", "replace"), shown)
    reasons = [
        Reason(
            code=f"secrets.{f.rule}",
            message=f"possible secret ({f.rule}, {f.preview})",
            fix="remove it and rotate the credential; read it from the environment or a secret store",
            location=Location(file=f.file, line=f.line, column=f.column),
        )
        for f in findings
    ]
    result = GateResult(
        gate="secrets",
        status=Status.FAIL if reasons else Status.PASS,
        summary=f"{len(findings)} finding(s) in {scanned} file(s)",
        reasons=reasons,
        metrics={"files": scanned, "findings": len(findings)},
    )
    if not findings and getattr(args, "format", "text") == "text":
        inv.info(f"no secrets found in {scanned} file(s)")  # stdout stays 'file:line: rule' lines only
    return inv.emit(result, {"text": _lines, "lines": _lines})


def _lines(result: object) -> str:
    from maestro_ci.models import GateResult

    assert isinstance(result, GateResult)
    rows = [
        f"{r.location.file}:{r.location.line}: {r.code.removeprefix('secrets.')}"
        for r in result.reasons
        if r.location
    ]
    return "".join(f"{row}\n" for row in rows)


FORMATS = ("lines",)
