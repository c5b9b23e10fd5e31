"""Can a child process a test starts run (or read) the repository's code?

While a coverage map is recorded, a test that starts a process is *opaque* when
coverage cannot vouch for what the child does: precise mode then selects it for
every narrowed change. A child is taken as harmless only when all of these hold:

- it is not a fork or an ``exec`` of this process, nor ``os.system``; through
  ``shell=True`` only a plain command line (words without quoting, expansion,
  redirection, assignments or a second command) is read, as the shell would run it;
- its program is a compiled binary outside the repository: not a Python
  interpreter, not a ``#!`` script (console scripts of installed packages, shell
  scripts), and not a launcher that runs other programs (shells, ``env``,
  ``make``, ``git`` with its hooks, ``tox``...);
- none of its arguments names a path inside the repository (``cat src/x.py``
  reads source as data).

A pager or ``cat`` fed through a pipe is harmless; ``python -c``, ``sh -c``,
``./scripts/build``, or ``grep pattern src/`` are not.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

_PYTHON = re.compile(r"^(python|pypy)(\d+(\.\d+)*)?[tw]?(\.exe)?$|^py(\.exe)?$", re.IGNORECASE)
_PLAIN_COMMAND = re.compile(r"^[A-Za-z0-9_./:@,+ -]*[A-Za-z0-9_./:@,+-][A-Za-z0-9_./:@,+ -]*$")
LAUNCHERS = frozenset(
    {
        "sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "busybox", "env", "nice",
        "nohup", "timeout", "time", "sudo", "su", "xargs", "make", "gmake", "git", "tox", "nox",
        "uv", "uvx", "pipx", "poetry", "hatch", "pdm", "pre-commit", "coverage", "pytest",
        "cmd", "cmd.exe", "powershell", "pwsh", "node", "npx", "docker", "podman",
    }
)  # fmt: skip


def may_run_repository_code(
    args: str | bytes | os.PathLike[str] | Sequence[str | bytes | os.PathLike[str]],
    executable: str | bytes | os.PathLike[str] | None,
    shell: bool,
    root: Path,
    env: Mapping[str, str] | None = None,
    cwd: str | bytes | os.PathLike[str] | None = None,
) -> bool:
    """The rule of the module docstring for one ``subprocess.Popen`` call."""
    argv = [_text(a) for a in ([args] if isinstance(args, str | bytes | os.PathLike) else args)]
    if shell:
        # a plain command line (words of letters, digits and ./:@,+_-) is what a shell would exec;
        # anything with quoting, expansion, redirection, assignment or a second command may do more
        if len(argv) != 1 or not _PLAIN_COMMAND.match(argv[0]):
            return True
        argv = argv[0].split()
    if not argv:
        return True  # nothing we can reason about
    program = _text(executable) if executable is not None else argv[0]
    if "\0" in program:
        return True  # no such path can exist (Popen refuses it): nothing we can reason about
    base = Path(_text(cwd)) if cwd else Path.cwd()
    resolved = _resolve(program, env, base)
    name = Path(program).name.lower()
    if _PYTHON.match(name) or name in LAUNCHERS or name.removesuffix(".exe") in LAUNCHERS:
        return True
    if resolved is not None:
        if _inside(resolved, root) or _is_script(resolved):
            return True
        if _PYTHON.match(resolved.name) or resolved.name in LAUNCHERS:
            return True  # a link such as /usr/bin/python3 -> python3.11
    return any(_names_repository_path(arg, base, root) for arg in argv[1:])


def _is_script(path: Path) -> bool:
    """A ``#!`` script (console scripts of Python packages, shell scripts) can run anything."""
    try:
        with path.open("rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return True  # cannot tell: assume it can


def _text(value: str | bytes | os.PathLike[str]) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return os.fspath(value)


def _resolve(program: str, env: Mapping[str, str] | None, base: Path) -> Path | None:
    if os.sep in program or (os.altsep and os.altsep in program):
        path = Path(program)
        path = path if path.is_absolute() else base / path
    else:
        found = shutil.which(program, path=(env or os.environ).get("PATH"))
        if found is None:
            return None
        path = Path(found)
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _names_repository_path(arg: str, base: Path, root: Path) -> bool:
    candidate = arg.split("=", 1)[1] if arg.startswith("-") and "=" in arg else arg
    if not candidate or candidate.startswith("-") or "\0" in candidate:
        return False
    path = Path(candidate)
    path = path if path.is_absolute() else base / path
    try:
        if not path.exists():
            return False
        return _inside(path.resolve(), root)
    except (OSError, RuntimeError, ValueError):
        return True  # cannot tell: assume it can
