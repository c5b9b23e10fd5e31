"""Run one shell command for an eval check: timeout, working folder, environment allow-list.

A command that outlives its timeout is killed with its whole process group.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_OUTPUT = 1 << 20  # keep at most 1 MiB of each stream
_NOT_FOUND = re.compile(r"([^\s:]+): (?:command )?not found|([^\s:]+): No such file or directory")


@dataclass(frozen=True)
class CommandOutcome:
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    missing: str | None = None  # the program the shell could not find
    failed_to_start: str | None = None


def child_env(parent: Mapping[str, str], allow: list[str], extra: Mapping[str, str]) -> dict[str, str]:
    """Only the allowed variables of the parent, plus the ones the check sets."""
    env = {name: parent[name] for name in allow if name in parent}
    env.update(extra)
    return env


def run_command(command: str, cwd: Path, env: Mapping[str, str], timeout: float) -> CommandOutcome:
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            command,
            shell=True,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return CommandOutcome(None, "", "", 0.0, failed_to_start=f"{exc.strerror or exc} ({cwd})")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        return CommandOutcome(None, _text(out), _text(err), time.perf_counter() - start, timed_out=True)
    stderr = _text(err)
    missing = None
    if proc.returncode == 127:
        found = _NOT_FOUND.search(stderr)
        if found:
            missing = found.group(1) or found.group(2)
    return CommandOutcome(proc.returncode, _text(out), stderr, time.perf_counter() - start, missing=missing)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # pragma: no cover - already gone
        proc.kill()


def _text(data: bytes | None) -> str:
    return (data or b"")[:MAX_OUTPUT].decode("utf-8", "replace")
