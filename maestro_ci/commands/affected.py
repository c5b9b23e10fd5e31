"""``maestro-ci affected``: which tests a change reaches, and why (plus ``report`` and ``merge-maps``)."""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING

from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.models import GateResult

DESCRIPTION = (
    "Select the tests a change can affect: an import graph (static), a coverage map (precise), "
    "or both (auto). Prints the tests with the reason each was chosen, or 'run all tests' with why."
)
EPILOG = """examples:
  maestro-ci affected --base origin/main
  pytest $(maestro-ci affected --base origin/main --format pytest-args --no-record)
  maestro-ci affected --base origin/main --explain tests/test_cart.py::test_total
  maestro-ci affected merge-maps shard-*.json --output .maestro/affected-map.json
  maestro-ci affected report

exit 0 with a selection (or a full run), 2 on bad input (unknown ref, corrupt map)."""
FORMATS = ("lines", "pytest-args")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", metavar="REF", help="compare against REF (default: see docs/affected.md)")
    parser.add_argument(
        "--head", metavar="REF", help="the change's head: a ref, WORKTREE or INDEX (default HEAD)"
    )
    parser.add_argument(
        "--mode", choices=("static", "precise", "auto"), help="selection mode (default: selection.mode)"
    )
    parser.add_argument(
        "--map", metavar="FILE", help="coverage map for precise/auto (default: selection.coverage_map)"
    )
    parser.add_argument(
        "--explain", metavar="NODEID", help="say why one test (file or node id) is or is not selected"
    )
    parser.add_argument(
        "--observe", action="store_true", help="select everything, but record what would have been skipped"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the graph cache")
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    report = sub.add_parser("report", help="over recorded observations: did a skipped test ever fail?")
    report.add_argument(
        "--junit", nargs="*", default=[], metavar="FILE", help="JUnit files of the newest observed run"
    )
    merge = sub.add_parser("merge-maps", help="merge shard coverage maps into one, deterministically")
    merge.add_argument("maps", nargs="+", metavar="MAP")


def run(args: argparse.Namespace, inv: Invocation) -> int:
    action = getattr(args, "action", None)
    if action == "merge-maps":
        from maestro_ci.commands.affected_actions import merge_maps_action

        return merge_maps_action(args, inv)
    if action == "report":
        from maestro_ci.commands.affected_actions import report_action

        return report_action(args, inv)
    from maestro_ci.commands.affected_inputs import gather

    inp = gather(args, inv)
    from maestro_ci.jobs.affected import decide

    result = decide(inp)
    if args.explain:
        from maestro_ci.commands.affected_actions import explain

        inv.write(explain(result, inp.graph, args.explain))
        return 0
    if args.observe:
        from maestro_ci.sources.observations import record_observation

        record_observation(inv.settings.base_dir, result, source="cli")
    for trigger in result.details["triggers"]:
        inv.info(f"affected: run all tests: {trigger['message']}")
    _outputs(inv, result)
    return inv.emit(result, {"text": render_text, "lines": render_lines, "pytest-args": render_pytest_args})


def _outputs(inv: Invocation, result: GateResult) -> None:
    gha = inv.gha
    if gha.active:
        gha.set_output("run-all", "true" if result.details["run_all"] else "false")
        gha.set_output("pytest-args", render_pytest_args(result).strip())


def tests_of(result: GateResult) -> list[str]:
    return [str(s["test"]) for s in result.details.get("selected", [])]


def render_lines(result: GateResult) -> str:
    if result.details.get("run_all"):
        return ""
    return "".join(f"{t}\n" for t in tests_of(result))


def render_pytest_args(result: GateResult) -> str:
    """Arguments for pytest: nothing for a full run, ``-m maestro_always`` for an empty selection."""
    if result.details.get("run_all"):
        return "\n"
    tests = tests_of(result)
    if not tests:
        return "-m maestro_always\n"
    return " ".join(shlex.quote(t) for t in tests) + "\n"


def describe(why: dict[str, object]) -> str:
    kind, changed, via = why.get("kind"), why.get("changed"), why.get("via") or []
    assert isinstance(via, list)
    if kind == "import":
        return f"imports {changed} via {' → '.join(str(v) for v in via)}"
    if kind == "conftest":
        return f"its conftest reaches {changed} via {' → '.join(str(v) for v in via)}"
    if kind == "coverage":
        return f"ran {', '.join(str(v) for v in via)} changed in {changed}"
    if kind == "folder":
        return f"{changed} changed in its test folder"
    if kind == "map":
        return f"selection.map maps {changed} to it"
    if kind == "doctest":
        return f"doctests of a module that reaches {changed}"
    if kind == "opaque":
        return f"starts a subprocess (coverage cannot see into it) and {changed} changed"
    if kind == "stale-map":
        return f"reaches {changed}, which changed since the coverage map was recorded"
    if kind == "unparsable":
        return f"cannot be parsed ({via[0] if via else ''}): run to show the error"
    return "the test file itself changed"


def render_text(result: GateResult) -> str:
    lines = [f"affected: {result.summary}"]
    rng = result.details.get("range") or {}
    if rng:
        lines.append(
            f"  range: {rng.get('base')}..{rng.get('head')} ({rng.get('source')}: {rng.get('reason')})"
        )
    for trigger in result.details.get("triggers", []):
        lines.append(f"  run all: {trigger['message']}")
    for entry in result.details.get("selected", []):
        why = "; ".join(describe(w) for w in entry["why"])
        lines.append(f"  {entry['test']}  <- {why}")
    for path, reason in result.details.get("fallbacks", {}).items():
        lines.append(f"  static for {path}: {reason}")
    for path in result.details.get("unimported", []):
        lines.append(f"  {path}: no test imported it when the map was recorded")
    if result.details.get("map"):
        lines.append(f"  map: {result.details['map']}")
    return "\n".join(lines) + "\n"
