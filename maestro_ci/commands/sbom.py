"""``maestro-ci sbom``: a CycloneDX SBOM of requirements or an environment; ``sbom diff``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Write a CycloneDX JSON SBOM (through the CycloneDX Python tool) of a requirements file or a\n"
    "Python environment, or compare two SBOMs: added, removed, changed components and licence\n"
    "changes, as a gate result (gate 'sbom-diff') a policy can read."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci sbom --environment .venv\n"
    "  maestro-ci sbom --requirements requirements.txt --out sbom.cdx.json\n"
    "  maestro-ci sbom diff old.cdx.json new.cdx.json --format json"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--requirements", metavar="FILE", help="a pip requirements file")
    source.add_argument(
        "--environment",
        metavar="PATH",
        help="a virtual environment folder or its python (default: the one running maestro-ci)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="where to write the SBOM (default: provenance.sbom.cdx.json in the run folder)",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    diff = sub.add_parser("diff", help="compare two CycloneDX SBOMs")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    parser.set_defaults(action=None)


def run(args: argparse.Namespace, inv: Invocation) -> int:
    if args.action == "diff":
        return _diff(args, inv)
    from maestro_ci.sources.build_inputs import SBOM_NAME, shown
    from maestro_ci.sources.sbom import generate
    from maestro_ci.sources.store import atomic_write_text, dump_json

    cwd = inv.cwd
    if args.requirements:
        kind, target = "requirements", cwd / args.requirements
    else:
        kind, target = "environment", cwd / args.environment if args.environment else Path(sys.executable)
    sbom = generate(kind, target)
    out = cwd / args.out if args.out else inv.settings.run_dir / SBOM_NAME
    atomic_write_text(out, inv.mask(dump_json(sbom)))
    inv.write(f"{shown(out, cwd)}\n")
    inv.info(f"sbom: {len(sbom.get('components') or [])} components from {kind} {target}")
    return 0


def _diff(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.sbom_diff import diff
    from maestro_ci.models import InputFile
    from maestro_ci.sources.sbom import load_sbom
    from maestro_ci.sources.store import sha256_file

    cwd = inv.cwd
    old_path, new_path = cwd / args.old, cwd / args.new
    old, new = load_sbom(old_path), load_sbom(new_path)
    inputs = [
        InputFile(path=args.old, sha256=sha256_file(old_path)),
        InputFile(path=args.new, sha256=sha256_file(new_path)),
    ]
    return inv.emit(diff(old, new, inputs))
