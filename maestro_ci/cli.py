"""``maestro-ci``: the command-line front end, and the only module that exits.

Start-up stays light: the command table below is plain data; the module of the
chosen command is imported only when that command runs (``--help`` and
``--version`` import nothing heavy).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from maestro_ci import __version__

PROG = "maestro-ci"

# name -> (module under maestro_ci.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "secrets": ("secrets", "scan files for secrets (values never printed)"),
    "mask": ("mask", "mask secrets in a stream: stdin to stdout"),
    "validate": ("validate", "validate .maestro.yml, policy, eval scenario and gate files"),
    "git-state": ("git_state", "branch, commit, dirty flag, status and recent commits"),
    "runs": ("runs", "list and show run records"),
    "policy": ("policy", "check a change against policy rules (paths, owners, licences, budgets, secrets)"),
    "risk": ("risk", "risk score of a change, with contributions; 'risk train' calibrates a model"),
    "eval": ("evals", "eval scenarios: list, run (score gate), coverage per prompt"),
    "health": ("health", "canary health gate: promote, hold or roll back from live metrics"),
    "provenance": ("provenance", "in-toto/SLSA provenance for artifacts, and its verification"),
    "sbom": ("sbom", "CycloneDX SBOM of requirements or an environment; SBOM drift"),
    "summary": ("summary", "one page for the whole run: Markdown, HTML, PR comment"),
    "timings": ("timings", "collect JUnit results into the timing store; merge shard stores"),
    "shard": ("shard", "plan N balanced test shards from the timing store"),
    "flaky": ("flaky", "flake rate per test and overall, with the evidence"),
    "affected": ("affected", "select the tests a change can affect, and say why"),
}


def _top_help() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items())
    return (
        f"usage: {PROG} [--version] [--help] COMMAND [ARGS...]\n\n"
        "Decide what to test, how to split it, and whether it may ship.\n\n"
        f"commands:\n{rows}\n\n"
        f"Run '{PROG} COMMAND --help' for a command's options.\n"
        "Exit codes: 0 passed, 1 a gate blocked, 2 bad input, 3 no verdict, 130 interrupted.\n"
    )


def load_command(name: str) -> ModuleType:
    module_name, _ = COMMANDS[name]
    return importlib.import_module(f"maestro_ci.commands.{module_name}")


def build_parser(name: str, module: ModuleType) -> argparse.ArgumentParser:
    from maestro_ci.frontend import add_common_arguments

    parser = argparse.ArgumentParser(
        prog=f"{PROG} {name}",
        description=getattr(module, "DESCRIPTION", COMMANDS[name][1]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=getattr(module, "EPILOG", None),
    )
    module.add_arguments(parser)
    add_common_arguments(parser, module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(_top_help())
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        sys.stdout.write(f"{PROG} {__version__}\n")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        import difflib

        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        sys.stderr.write(f"{PROG}: unknown command '{name}'{hint}\nRun '{PROG} --help' for the list.\n")
        return 2
    try:
        module = load_command(name)
        parser = build_parser(name, module)
        try:
            ns = parser.parse_args(rest)
        except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
            return int(exc.code or 0)
        from maestro_ci.frontend import Invocation

        inv = Invocation(ns, dict(os.environ), sys.stdout, sys.stderr)
        return int(module.run(ns, inv))
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the one place errors become exit codes
        return _handle(exc)


def _handle(exc: BaseException) -> int:
    from maestro_ci.errors import MaestroError

    mask = _masker()
    if isinstance(exc, MaestroError):
        sys.stderr.write(mask(f"{PROG}: error: {exc.diagnostics()}") + "\n")
        return int(exc.exit_code)
    import traceback

    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    sys.stderr.write(
        mask(
            f"{PROG}: internal error: {type(exc).__name__}: {exc}{place}\n"
            "No verdict was reached, so the gate blocks (exit 3). Please report this with the "
            "command you ran; set MAESTRO_DEBUG=1 for the full traceback.\n"
        )
    )
    if os.environ.get("MAESTRO_DEBUG"):
        sys.stderr.write(mask("".join(traceback.format_exception(exc))))
    return 3


def _masker() -> Callable[[str], str]:
    from maestro_ci.jobs.secrets import build_masker

    try:
        masker = build_masker(
            [p for p in os.environ.get("MAESTRO_MASK_REGEXES", "").split(",") if p.strip()],
            os.environ.get("MAESTRO_MASK_REPLACEMENT") or "***MASKED***",
        )
    except Exception:
        masker = build_masker()
    return masker.mask


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
