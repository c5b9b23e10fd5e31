"""``maestro-ci runs list|show ID``: the run records under ``.maestro/runs/``."""

from __future__ import annotations

import argparse

from maestro_ci.frontend import Invocation

DESCRIPTION = "List run records, or show one run's gate results as a page."
EPILOG = "examples:\n  maestro-ci runs list\n  maestro-ci runs show gh-1234-1 --format markdown"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="list runs, newest first")
    show = sub.add_parser("show", help="show one run")
    show.add_argument("run_id", metavar="ID")
    parser.set_defaults(no_record=True)


def run(args: argparse.Namespace, inv: Invocation) -> int:
    import json

    from maestro_ci.errors import InputError
    from maestro_ci.render.markdown import render_page
    from maestro_ci.render.text import render_text
    from maestro_ci.runs import list_runs, load_run

    root = inv.settings.run_dir.parent
    if args.action == "list":
        runs = list_runs(root)
        if args.format == "json":
            rows = [
                {
                    "run_id": r.path.name,
                    "started_on": r.record.started_on if r.record else None,
                    "results": {res.gate: str(res.status) for res in r.results},
                    "broken": r.broken,
                }
                for r in runs
            ]
            inv.write(json.dumps(rows, indent=2, sort_keys=True) + "\n", args.output)
            return 0
        if not runs:
            inv.write(f"no runs recorded under {root}\n", args.output)
            return 0
        lines = [f"{'run id':<36} {'started':<21} gates"]
        for r in runs:
            gates = ", ".join(f"{res.gate}={res.status}" for res in sorted(r.results, key=lambda x: x.gate))
            started = r.record.started_on if r.record else "?"
            lines.append(f"{r.path.name:<36} {started:<21} {gates or '(none)'}")
        inv.write("\n".join(lines) + "\n", args.output)
        return 0
    path = root / args.run_id
    if not path.is_dir():
        known = ", ".join(r.path.name for r in list_runs(root)[:5]) or "none"
        raise InputError(f"no run '{args.run_id}'", file=str(root), fix=f"pick one of: {known}")
    loaded = load_run(path)
    if args.format == "json":
        payload = {
            "run": loaded.record.model_dump(mode="json") if loaded.record else None,
            "results": [r.model_dump(mode="json") for r in loaded.results],
            "broken": loaded.broken,
        }
        inv.write(json.dumps(payload, indent=2, sort_keys=True) + "\n", args.output)
    elif args.format == "markdown":
        inv.write(render_page(loaded.results, f"run {args.run_id}"), args.output)
    else:
        inv.write(
            "".join(render_text(r) for r in sorted(loaded.results, key=lambda x: x.gate)),
            args.output,
        )
    for name, problem in sorted(loaded.broken.items()):
        inv.info(f"{path / name}: {problem}")
    return 2 if loaded.broken else 0
