"""``maestro-ci provenance``: in-toto statements for artifacts; ``provenance verify``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Write an in-toto Statement v1 with the SLSA provenance v1 predicate for the given artifacts,\n"
    "and a second statement recording every gate decision of the run. Or verify a statement\n"
    "against the artifacts on disk (exit 1 on any mismatch)."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci provenance --subject dist/*.whl\n"
    "  maestro-ci provenance --subject dist/*.whl --out dist/provenance.intoto.json\n"
    "  maestro-ci provenance verify dist/provenance.intoto.json --subject dist/*.whl"
)
DEFAULT_NAME = "provenance.intoto.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subject", nargs="+", metavar="PATH", default=[], help="the artifacts to attest")
    parser.add_argument(
        "--run",
        nargs="+",
        action="extend",
        metavar="DIR",
        help="run folders whose gate results are recorded (default: this run's folder, else the latest one)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help=f"the SLSA statement (default: {DEFAULT_NAME} in the run folder)"
    )
    parser.add_argument(
        "--decisions-out",
        metavar="FILE",
        help="the decisions statement (default: beside --out, '.decisions' before '.intoto.json')",
    )
    parser.add_argument(
        "--predicate-out",
        metavar="FILE",
        help="also write the SLSA predicate alone (for actions/attest 'predicate-path')",
    )
    parser.add_argument(
        "--sbom", action="append", metavar="FILE", default=[], help="an SBOM to list as a dependency"
    )
    parser.add_argument(
        "--allow-broken",
        action="store_true",
        help="record unreadable result files as broken (verdict 'error') instead of stopping with exit 2",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    verify = sub.add_parser("verify", help="recompute subject digests and check a statement")
    verify.add_argument("statement", metavar="FILE")
    verify.add_argument(
        "--subject",
        nargs="+",
        metavar="PATH",
        default=[],
        help="artifacts to check (default: every subject of the statement, relative to here)",
    )
    verify.set_defaults(no_record=True)
    parser.set_defaults(action=None)


def decisions_path(out: Path) -> Path:
    name = out.name
    if name.endswith(".intoto.json"):
        return out.with_name(name.removesuffix(".intoto.json") + ".decisions.intoto.json")
    return out.with_name(name + ".decisions.json")


def run(args: argparse.Namespace, inv: Invocation) -> int:
    if args.action == "verify":
        return _verify(args, inv)
    return _generate(args, inv)


def _stamp(env: dict[str, str]) -> str | None:
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    return None


def _generate(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci import __version__
    from maestro_ci.context import ci_context
    from maestro_ci.errors import InputError, UsageError
    from maestro_ci.jobs.provenance import BuildContext, build_statements
    from maestro_ci.provenance_models import CYCLONEDX_MEDIA, Artifact
    from maestro_ci.runs import now_iso
    from maestro_ci.sources.build_inputs import (
        default_run_dir,
        lock_files,
        read_runs,
        shown,
        subject_name,
    )
    from maestro_ci.sources.digests import sha256_many, unique_names
    from maestro_ci.sources.git_state import read_git_state

    if not args.subject:
        raise UsageError("no subject given", fix="name the artifacts: --subject dist/*.whl")
    settings, cwd = inv.settings, inv.cwd
    paths = [cwd / p for p in args.subject]
    names = unique_names(subject_name(p, cwd) for p in paths)
    subjects = [Artifact(n, d) for n, d in zip(names, sha256_many(paths), strict=True)]

    run_dirs = [cwd / d for d in args.run] if args.run else [default_run_dir(settings.run_dir)]
    for run_dir in run_dirs:
        if args.run and not run_dir.is_dir():
            raise UsageError("run folder not found", file=str(run_dir), fix="pass an existing --run folder")
    if not any(d.is_dir() for d in run_dirs):
        inv.info(f"provenance: no run folder at {run_dirs[0]}: no gate results to record")
    runs = read_runs([d for d in run_dirs if d.is_dir()])
    for name, problem in sorted(runs.broken.items()):
        inv.info(f"provenance: broken result {name}: {problem}")
    if runs.broken and not args.allow_broken:
        first = sorted(runs.broken)[0]
        raise InputError(
            f"{len(runs.broken)} result file(s) of the run cannot be read, so the decisions cannot "
            f"be recorded: {first}: {runs.broken[first]}",
            fix="regenerate or remove the broken results, or pass --allow-broken to record them as broken",
        )

    sbom_paths = [cwd / p for p in args.sbom]
    sboms = [
        Artifact(subject_name(p, cwd), d, CYCLONEDX_MEDIA)
        for p, d in zip(sbom_paths, sha256_many(sbom_paths, what="SBOM"), strict=True)
    ]
    base = settings.base_dir
    deps = [*lock_files(base), *runs.sboms, *sboms]
    if settings.config_file is not None and settings.config_file.is_file():
        deps += [Artifact(subject_name(settings.config_file, base), *sha256_many([settings.config_file]))]

    state = read_git_state(base)
    fixed = _stamp(inv.env)
    started = min((r.started_on for r in runs.records), default=None) or fixed or now_iso()
    finished = max((r.updated_on for r in runs.records), default=None) or fixed or now_iso()
    inputs = inv.gha.event().get("inputs")
    ctx = BuildContext(
        ci=ci_context(inv.env),
        tool_version=__version__,
        run_id=runs.records[0].run_id if runs.records else settings.run_id,
        started_on=started,
        finished_on=finished,
        commit=state.commit or "",
        branch=state.branch,
        remote_url=state.remote_url,
        dirty=state.dirty,
        workflow_inputs=inputs if isinstance(inputs, dict) else {},
        dependencies=deps,
        results=runs.results,
        broken=runs.broken,
    )
    slsa, decisions = build_statements(subjects, ctx)
    out = cwd / args.out if args.out else run_dirs[0] / DEFAULT_NAME
    dec_out = cwd / args.decisions_out if args.decisions_out else decisions_path(out)
    written = [_write(inv, out, slsa), _write(inv, dec_out, decisions)]
    if args.predicate_out:
        written.append(_write(inv, cwd / args.predicate_out, slsa["predicate"], predicate=True))
    inv.write("".join(f"{shown(p, cwd)}\n" for p in written))
    inv.info(
        f"provenance: {len(subjects)} subjects, {len(runs.results)} gate results, "
        f"{len(deps)} dependencies recorded"
    )
    return 0


def _write(inv: Invocation, path: Path, doc: dict[str, Any], predicate: bool = False) -> Path:
    """Mask, re-read and validate, then write atomically; a statement that fails is never written."""
    import json

    from maestro_ci.errors import InputError
    from maestro_ci.sources.statement_schema import SLSA_SCHEMA, schema_problems, validate_statement
    from maestro_ci.sources.store import atomic_write_text, dump_json

    raw = dump_json(doc)
    text = inv.mask(raw)
    masked = json.loads(text)
    try:
        if predicate:
            problems = schema_problems(masked, SLSA_SCHEMA)
            if problems:
                raise InputError(f"not a valid SLSA predicate: {problems[0]}", file=str(path))
        else:
            validate_statement(masked, str(path))
    except InputError as exc:
        if text == raw:
            raise RuntimeError(f"generated statement is invalid: {exc.message}") from exc
        raise InputError(
            f"a mask pattern changed the statement so that it is no longer valid ({exc.message})",
            file=str(path),
            fix="narrow the patterns in mask.patterns / MAESTRO_MASK_REGEXES so they do not match digests",
        ) from exc
    atomic_write_text(path, text)
    return path


def _verify(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.jobs.provenance_verify import subject_digests, verify
    from maestro_ci.sources.build_inputs import subject_name
    from maestro_ci.sources.digests import sha256_many
    from maestro_ci.sources.statement_schema import validate_statement
    from maestro_ci.sources.store import read_json

    cwd = inv.cwd
    file = cwd / args.statement
    doc = read_json(file, "statement")
    validate_statement(doc, str(file))
    expected = subject_digests(doc, str(file))
    actual: dict[str, str | None] = {}
    if args.subject:
        paths = [cwd / p for p in args.subject]
        digests = sha256_many(paths)
        by_base: dict[str, list[str]] = {}
        for name in expected:
            by_base.setdefault(Path(name).name, []).append(name)
        for path, digest in zip(paths, digests, strict=True):
            name = subject_name(path, cwd)
            if name not in expected and len(by_base.get(path.name, [])) == 1:
                name = by_base[path.name][0]
            actual[name] = digest
    else:
        present = [n for n in sorted(expected) if (cwd / n).is_file()]
        found = dict(zip(present, sha256_many([cwd / n for n in present]), strict=True))
        actual = {n: found.get(n) for n in sorted(expected)}
    return inv.emit(verify(expected, actual, args.statement))
