"""``maestro-ci git-state``: where the work tree stands."""

from __future__ import annotations

import argparse

from maestro_ci.frontend import Invocation

DESCRIPTION = (
    "Branch, commit, short commit, dirty flag, porcelain status, diff stat, remote URL "
    "(credentials stripped), the last 3 commits and a detached-HEAD description."
)
EPILOG = "example:\n  maestro-ci git-state --format json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(no_record=True)


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.render.json import render_json
    from maestro_ci.sources.git_state import read_git_state

    state = read_git_state(inv.cwd)
    if args.format == "json":
        text = render_json(state)
    elif not state.in_repository or state.commit is None:
        text = state.message + "\n"
    else:
        md = args.format == "markdown"
        where = state.detached_description if state.detached else f"branch {state.branch}"
        rows = [
            ("repository", state.root),
            ("on", where or ""),
            ("commit", state.commit),
            ("dirty", "yes" if state.dirty else "no"),
            ("remote", state.remote_url or "(none)"),
        ]
        if md:
            text = "| | |\n|---|---|\n" + "".join(f"| {k} | `{v}` |\n" for k, v in rows)
        else:
            text = "".join(f"{k:<11}{v}\n" for k, v in rows)
        if state.status:
            text += (
                ("\n**status**\n\n```\n" if md else "status:\n")
                + "".join(f"  {line}\n" for line in state.status)
                + ("```\n" if md else "")
            )
        if state.diff_stat:
            text += ("\n```\n" if md else "diff:\n") + state.diff_stat + ("\n```\n" if md else "\n")
        text += ("\n**last commits**\n\n" if md else "last commits:\n") + "".join(
            f"{'- ' if md else '  '}{c.short} {c.subject} ({c.author}, {c.date})\n"
            for c in state.last_commits
        )
    inv.write(text, args.output)
    return 0
