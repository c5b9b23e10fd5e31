"""The composite action's entry point: ``python -m maestro_ci.action run|attest-prepare``.

``action.yml`` passes every input through the environment (``INPUT_*``), never
through the script text. ``run`` splits ``command`` and ``args`` like a shell
would (no expansion), runs the CLI in-process, and turns its result into the
step's outputs and exit code according to ``fail-on``. ``attest-prepare``
writes the provenance statement with ``maestro-ci provenance`` and splits it
into the predicate and the subjects' checksums ``actions/attest`` reads.

Like ``cli.py`` this is a front end; it exits only under ``__main__``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import sys
import tempfile
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path

from maestro_ci.errors import InputError, MaestroError, UsageError

# fail-on value -> the statuses that fail the step
FAIL_ON: dict[str, frozenset[str]] = {
    "fail": frozenset({"fail", "error"}),
    "warn": frozenset({"warn", "fail", "error"}),
    "error": frozenset({"error"}),
    "never": frozenset(),
}
STATUS_OF_EXIT = {0: "pass", 1: "fail", 2: "error", 3: "error", 130: "error"}


def split_argv(command: str, args: str) -> list[str]:
    """``command`` and ``args`` split like a shell would, without any expansion."""
    argv: list[str] = []
    for name, value in (("command", command), ("args", args)):
        try:
            argv += shlex.split(value)
        except ValueError as exc:
            raise UsageError(
                f"cannot split the '{name}' input: {exc}",
                place=f"input '{name}'",
                fix="balance the quotes in the input",
            ) from exc
    if not argv or argv[0].startswith("-"):
        raise UsageError(
            "the 'command' input is empty", fix="set command: to a maestro-ci command, e.g. validate"
        )
    return argv


def fail_statuses(value: str) -> frozenset[str]:
    key = (value or "fail").strip().lower()
    if key not in FAIL_ON:
        raise UsageError(
            f"unknown fail-on value '{value}'",
            place="input 'fail-on'",
            fix=f"use one of: {', '.join(FAIL_ON)}",
        )
    return FAIL_ON[key]


@contextlib.contextmanager
def _private_output(environ: MutableMapping[str, str]) -> Iterator[Path]:
    """Point GITHUB_OUTPUT at a private file while the CLI runs; restore it after."""
    saved = environ.get("GITHUB_OUTPUT")
    with tempfile.TemporaryDirectory(prefix="maestro-action-") as folder:
        path = Path(folder) / "output"
        path.touch()
        environ["GITHUB_OUTPUT"] = str(path)
        try:
            yield path
        finally:
            if saved is None:
                environ.pop("GITHUB_OUTPUT", None)
            else:
                environ["GITHUB_OUTPUT"] = saved


def run_step(environ: MutableMapping[str, str]) -> int:
    """Run the command named by the inputs; set outputs; return the step's exit code."""
    from maestro_ci.cli import main as cli_main
    from maestro_ci.gha import GitHubActions, read_outputs

    argv = split_argv(environ.get("INPUT_COMMAND", ""), environ.get("INPUT_ARGS", ""))
    failing = fail_statuses(environ.get("INPUT_FAIL_ON", "fail"))
    with _private_output(environ) as private:
        code = cli_main(argv)
        produced = read_outputs(private)
    status = produced.get("status") or STATUS_OF_EXIT.get(code, "error")
    gha = GitHubActions(environ, sys.stdout)
    gha.set_output("status", status)
    gha.set_output("result-json", produced.get("result-json", ""))
    gha.set_output("summary", produced.get("summary", f"maestro-ci {argv[0]} exited {code}"))
    gha.set_output("exit-code", str(code))
    for name, value in sorted(produced.items()):
        if name not in ("status", "result-json", "summary"):
            gha.set_output(name, value)
    if code in (2, 130):
        return code
    if status in failing:
        sys.stderr.write(f"maestro-ci: status '{status}' fails this step (fail-on: {_fail_on(environ)})\n")
        return code if code in (1, 3) else 1
    if code != 0:
        sys.stderr.write(
            f"maestro-ci: status '{status}' does not fail this step (fail-on: {_fail_on(environ)})\n"
        )
    return 0


def _fail_on(environ: Mapping[str, str]) -> str:
    return environ.get("INPUT_FAIL_ON") or "fail"


def expand_subjects(text: str, cwd: Path) -> list[str]:
    """Paths and globs (newline- or space-separated) -> the files they name, sorted."""
    found: list[str] = []
    for pattern in text.split():
        matches = sorted(glob.glob(pattern, root_dir=cwd, recursive=True))  # noqa: PTH207 - absolute patterns too
        if not matches:
            raise InputError(
                "no file matches this attest subject",
                file=pattern,
                fix="build the artifacts before this step, or fix attest-subjects",
            )
        found += [m for m in matches if (cwd / m).is_file()]
    if not found:
        raise UsageError("attest is 'true' but attest-subjects names no file", fix="set attest-subjects")
    return list(dict.fromkeys(found))


def attest_prepare(environ: MutableMapping[str, str], cwd: Path) -> int:
    """Write the statement, then the predicate and subject checksums for ``actions/attest``."""
    from maestro_ci.cli import COMMANDS
    from maestro_ci.cli import main as cli_main
    from maestro_ci.gha import GitHubActions
    from maestro_ci.sources.store import atomic_write_text, dump_json, read_json

    if "provenance" not in COMMANDS:
        raise UsageError(
            "this maestro-ci has no 'provenance' command", fix="use a newer maestro-ci, or attest: 'false'"
        )
    subjects = expand_subjects(environ.get("INPUT_ATTEST_SUBJECTS", ""), cwd)
    out = Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "maestro-ci-attest"
    statement_path = out / "provenance.intoto.json"
    out.mkdir(parents=True, exist_ok=True)
    with _private_output(environ):
        code = cli_main(["provenance", "--subject", *subjects, "--out", str(statement_path)])
    if code != 0:
        return code
    statement = read_json(statement_path, "provenance statement")
    if not isinstance(statement, dict) or not isinstance(statement.get("predicate"), dict):
        raise InputError("not an in-toto statement with a predicate", file=str(statement_path))
    predicate_path = out / "predicate.json"
    atomic_write_text(predicate_path, dump_json(statement["predicate"]))
    rows = [
        f"{item['digest']['sha256']}  {item['name']}"
        for item in statement.get("subject", [])
        if isinstance(item, dict) and "sha256" in (item.get("digest") or {})
    ]
    checksums = out / "subjects.sha256"
    atomic_write_text(checksums, "".join(f"{row}\n" for row in rows))
    gha = GitHubActions(environ, sys.stdout)
    gha.set_output("predicate-type", str(statement.get("predicateType", "")))
    gha.set_output("predicate-path", str(predicate_path))
    gha.set_output("subject-checksums", str(checksums))
    gha.set_output("statement-path", str(statement_path))
    return 0


def main(argv: Sequence[str] | None = None, environ: MutableMapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if environ is None else environ
    try:
        if args == ["run"]:
            return run_step(env)
        if args == ["attest-prepare"]:
            return attest_prepare(env, Path.cwd())
        raise UsageError(f"unknown action step {' '.join(args)!r}", fix="use 'run' or 'attest-prepare'")
    except MaestroError as exc:
        sys.stderr.write(f"maestro-ci: error: {exc.diagnostics()}\n")
        return int(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
