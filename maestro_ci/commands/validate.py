"""``maestro-ci validate [FILES]``: check config, policy, scenario and gate files."""

from __future__ import annotations

import argparse
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Validate .maestro.yml, policy rules, eval scenarios and health gates against their JSON "
    "Schemas. With no FILES, checks .maestro.yml, policy/ and evals/ under the repository root."
)
EPILOG = "example:\n  maestro-ci validate .maestro.yml policy/rules.yaml evals/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from maestro_ci.validators import KINDS

    parser.add_argument("files", nargs="*", metavar="FILE", help="files or folders to validate")
    parser.add_argument("--kind", choices=sorted(KINDS), help="treat every file as this kind")


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.models import GateResult, Location, Reason, Status
    from maestro_ci.sources.store import sha256_file
    from maestro_ci.validators import YAML_SUFFIXES, detect_kind, discover, loader

    base = inv.cwd
    try:
        inv.settings  # noqa: B018 - the config may be one of the files with problems
    except InputError:
        from maestro_ci.settings import resolve

        inv._settings = resolve(base, None, inv.env, ignore_file=True)
    paths: list[Path] = []
    for name in args.files:
        path = Path(name) if Path(name).is_absolute() else base / name
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            paths.append(path)
    if not args.files:
        paths = discover(inv.settings.base_dir)
    reasons: list[Reason] = []
    checked: list[str] = []
    inputs = []
    for path in paths:
        shown = _shown(path, base)
        kind = args.kind or detect_kind(path)
        if kind is None:
            reasons.append(
                Reason(
                    code="validate.unknown-kind",
                    message=f"cannot tell what kind of file {shown} is",
                    fix="pass --kind config|policy|eval|health",
                    location=Location(file=shown),
                )
            )
            continue
        try:
            loader(kind)(path)
        except InputError as exc:
            if not args.files and not path.exists():
                continue
            line = _line(exc.place)
            reasons.append(
                Reason(
                    code=f"validate.{kind}",
                    message=exc.message,
                    fix=exc.fix or "",
                    location=Location(file=shown, line=line),
                )
            )
            continue
        checked.append(f"{shown} ({kind})")
        inputs.append({"path": shown, "sha256": sha256_file(path)})
    status = Status.FAIL if reasons else Status.PASS
    summary = f"{len(checked)} file(s) valid" + (f", {len(reasons)} problem(s)" if reasons else "")
    if not paths:
        summary = "nothing to validate: no .maestro.yml, policy/ or evals/ found"
    result = GateResult.model_validate(
        {
            "gate": "validate",
            "status": status,
            "summary": summary,
            "reasons": reasons,
            "inputs": inputs,
            "metrics": {"files": len(paths), "valid": len(checked), "problems": len(reasons)},
            "details": {"valid": checked},
        }
    )
    if reasons and args.format == "text":
        # one line per problem, the way the pre-commit hook shows it
        for r in result.reasons:
            loc = r.location
            place = f"{loc.file}:{loc.line}" if loc and loc.line else (loc.file if loc else "")
            inv.info(f"{place}: {r.message}" + (f"\n  fix: {r.fix}" if r.fix else ""))
        inv.emit(result, {"text": lambda res: res.summary + "\n"})
        return 2
    code = inv.emit(result)
    return 2 if reasons else code


def _shown(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _line(place: str | None) -> int | None:
    if place and place.startswith("line "):
        digits = place[5:].split(",")[0]
        return int(digits) if digits.isdigit() else None
    return None
