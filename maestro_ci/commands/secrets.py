"""``maestro-ci secrets scan FILES``: findings as ``file:line: rule``, values never printed."""

from __future__ import annotations

import argparse
from pathlib import Path

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Scan files for secrets: known token shapes plus generic high-entropy strings. Prints "
    "'file:line: rule' per finding with a masked preview; never the value. A line marked "
    "'# maestro: allow-secret' is skipped; findings in the baseline file are accepted."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci secrets scan src/ config/settings.yaml\n"
    "  maestro-ci secrets scan --update-baseline .      # accept today's findings\n"
    "  maestro-ci secrets scan --baseline .maestro-secrets-baseline.json .\n\n"
    "exit 1 when a secret outside the baseline is found."
)
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
    scan.add_argument(
        "--baseline",
        metavar="FILE",
        help="accepted findings (default: policy.secrets_baseline when that file exists)",
    )
    scan.add_argument(
        "--update-baseline",
        action="store_true",
        help="write every current finding to the baseline file and pass",
    )
    scan.add_argument("--no-entropy", action="store_true", help="skip generic high-entropy detection")


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
    from maestro_ci.jobs.secret_scan import scan_text
    from maestro_ci.models import GateResult, InputFile, Location, Reason, Status
    from maestro_ci.sources.secret_baseline import baseline_from, load_baseline, save_baseline
    from maestro_ci.sources.store import sha256_file

    masker = inv.settings.masker
    findings = []
    scanned = 0
    for shown, path in iter_files(args.files, inv.cwd):
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            continue  # binary
        scanned += 1
        findings += scan_text(data.decode("utf-8", "replace"), shown, masker, entropy=not args.no_entropy)
    default = inv.settings.base_dir / inv.settings.config.policy.secrets_baseline
    baseline_path = Path(args.baseline) if args.baseline else default
    if args.baseline and not baseline_path.is_absolute():
        baseline_path = inv.cwd / baseline_path
    inputs = []
    accepted = 0
    if args.update_baseline:
        save_baseline(baseline_path, baseline_from(findings))
        inv.info(f"secrets: {len(findings)} finding(s) written to the baseline {baseline_path}")
        accepted, findings = len(findings), []
    elif baseline_path.exists() or args.baseline:
        baseline = load_baseline(baseline_path)
        inputs.append(InputFile(path=str(baseline_path), sha256=sha256_file(baseline_path)))
        kept = [f for f in findings if not baseline.accepts(f)]
        accepted, findings = len(findings) - len(kept), kept
    reasons = [
        Reason(
            code=f"secrets.{f.rule}",
            message=f"possible secret ({f.rule}, {f.preview})",
            fix="remove it and rotate the credential; read it from the environment or a secret store; "
            "a false positive: add '# maestro: allow-secret' on the line, or accept it with --update-baseline",
            location=Location(file=f.file, line=f.line, column=f.column),
        )
        for f in findings
    ]
    result = GateResult(
        gate="secrets",
        status=Status.FAIL if reasons else Status.PASS,
        summary=f"{len(findings)} finding(s) in {scanned} file(s)"
        + (f", {accepted} accepted by the baseline" if accepted else ""),
        reasons=reasons,
        metrics={"files": scanned, "findings": len(findings), "accepted": accepted},
        inputs=inputs,
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
