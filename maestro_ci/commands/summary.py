"""``maestro-ci summary``: one page for the whole run (all jobs, all shards), as Markdown and HTML."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.render.summary_page import RunView

DESCRIPTION = (
    "Merge the gate results of one or more run folders (every job and shard of a run) into one\n"
    "page: the verdict, one section per gate, charts, flaky tests and links to the JSON results.\n"
    "Optionally as standalone HTML, and as one pull-request comment updated in place."
)
EPILOG = (
    "examples:\n"
    "  maestro-ci summary --run .maestro/runs/gh-1234-1 --out summary.md --html summary.html\n"
    "  maestro-ci summary --run shard-*/runs/gh-1234-1 --pr-comment"
)
HAS_RESULT = False
PR_COMMENT_BUDGET = 60_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run",
        nargs="+",
        action="extend",
        metavar="DIR",
        help="run folders to merge (default: this run's folder, else the latest one)",
    )
    parser.add_argument("--out", metavar="FILE", help="write the Markdown page here (default: stdout)")
    parser.add_argument("--html", metavar="FILE", help="also write the page as standalone HTML")
    parser.add_argument(
        "--pr-comment",
        action="store_true",
        help="create or update one comment on the pull request (needs GITHUB_TOKEN)",
    )
    parser.add_argument("--title", default="maestro-ci", help="the page title (default: maestro-ci)")
    parser.add_argument(
        "--mermaid-script",
        metavar="URL",
        default="",
        help="URL of the Mermaid ES module the HTML page loads to draw charts (default: none; "
        "charts then show as text)",
    )
    parser.add_argument(
        "--exit-code",
        action="store_true",
        help="exit with the run's verdict (1 blocked, 3 error) instead of 0",
    )


def _views(run_dirs: list[Path], link_base: Path, cwd: Path) -> list[RunView]:
    from maestro_ci.render.summary_page import RunView
    from maestro_ci.render.summary_sections import Placed
    from maestro_ci.sources.build_inputs import read_runs

    names = [d.name for d in run_dirs]
    views: list[RunView] = []
    for run_dir in run_dirs:
        label = run_dir.name if names.count(run_dir.name) == 1 else os.path.relpath(run_dir, cwd)
        data = read_runs([run_dir])
        placed = [Placed(label, r.file.split("/", 1)[1], r.result) for r in data.results]
        broken = {k.split("/", 1)[1]: v for k, v in data.broken.items()}
        links = [
            (f"{label}/{f.name}", Path(os.path.relpath(f, link_base)).as_posix())
            for f in sorted(run_dir.glob("*.json"))
        ]
        views.append(RunView(label, placed, broken, links, _statements(run_dir)))
    return views


def _statements(run_dir: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """The in-toto statements in a run folder (subjects and digests); unreadable ones are skipped."""
    import json

    found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for path in sorted(run_dir.glob("*.intoto.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            subjects = [(str(s["name"]), str(s["digest"]["sha256"])) for s in doc["subject"]]
            found[path.name] = (str(doc["predicateType"]), subjects)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.errors import InputError
    from maestro_ci.models import Status
    from maestro_ci.render.html import render_html
    from maestro_ci.render.summary_page import render_summary
    from maestro_ci.sources.store import atomic_write_text

    cwd = inv.cwd
    if args.run:
        run_dirs = [cwd / d for d in args.run]
    else:
        from maestro_ci.sources.build_inputs import default_run_dir

        run_dirs = [default_run_dir(inv.settings.run_dir)]
        inv.info(f"summary: run folder {run_dirs[0]}")
    for run_dir in run_dirs:
        if not run_dir.is_dir():
            raise InputError(
                "run folder not found", file=str(run_dir), fix="pass run folders that exist to --run"
            )
    out = cwd / args.out if args.out else None
    views = _views(sorted(dict.fromkeys(run_dirs)), out.parent if out else cwd, cwd)
    page = inv.mask(render_summary(views, args.title))
    if out is not None:
        atomic_write_text(out, page)
        inv.info(f"summary: page written to {os.path.relpath(out, cwd)}")
    else:
        inv.write(page)
    if args.html:
        target = cwd / args.html
        atomic_write_text(target, inv.mask(render_html(page, args.title, args.mermaid_script)))
        inv.info(f"summary: HTML page written to {os.path.relpath(target, cwd)}")
    gha = inv.gha
    if gha.active:
        gha.append_summary(page, "the JSON results in the run folders")
    if args.pr_comment:
        body = inv.mask(render_summary(views, args.title, budget=PR_COMMENT_BUDGET))
        _comment(inv, body)
    broken = [(v.name, name, problem) for v in views for name, problem in sorted(v.broken.items())]
    for run_name, name, problem in broken:
        inv.info(f"summary: broken result {run_name}/{name}: {problem}")
    if broken:
        return 2
    if args.exit_code:
        worst = Status.worst([p.result.status for v in views for p in v.results])
        return 3 if worst is Status.ERROR else 1 if worst is Status.FAIL else 0
    return 0


def _comment(inv: Invocation, body: str) -> None:
    """Create or update the PR comment; every failure is reported and never changes the verdict."""
    from maestro_ci.sources.github_api import GitHubApi, GitHubApiError

    gha = inv.gha
    token = inv.env.get("GITHUB_TOKEN", "")
    repo = str((gha.event().get("repository") or {}).get("full_name") or inv.env.get("GITHUB_REPOSITORY", ""))
    number = gha.pull_request_number()
    missing = [
        what
        for what, ok in (
            ("GITHUB_TOKEN", bool(token)),
            ("the repository (GITHUB_REPOSITORY)", bool(repo)),
            ("a pull request in the event file (GITHUB_EVENT_PATH)", number is not None),
        )
        if not ok
    ]
    if missing or number is None:
        inv.info(f"summary: PR comment skipped: missing {', '.join(missing)}")
        return
    if token:
        gha.add_mask(token)
    api = GitHubApi(inv.env.get("GITHUB_API_URL") or "https://api.github.com", token)
    try:
        outcome = api.upsert_comment(repo, number, body)
    except GitHubApiError as exc:
        message = f"PR comment not posted: {exc} (the gates' verdict is unchanged)"
        inv.info(f"summary: {message}")
        if gha.active:
            gha.annotate("warning", message, title="maestro-ci summary")
        return
    inv.info(f"summary: PR comment {outcome.action}: {outcome.url or outcome.comment_id}")
