"""Gate results the eval checks read: from the run folder, or computed by running the CLI.

``risk.json``, ``policy.json``, ``coverage.json`` in the run folder are
:class:`GateResult` JSON. When one is absent, the configured command
(``maestro-ci risk`` ...) runs with ``--format json --no-record --base B --head H``
and its standard output is parsed as a gate result. Anything else is a
:class:`GateUnavailable` with the reason, so the check fails closed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from maestro_ci.errors import SourceUnavailable
from maestro_ci.models import GateResult


class GateUnavailable(SourceUnavailable):
    """No gate result could be read or computed; the message says why."""


def read_recorded(run_dir: Path, gate: str) -> GateResult | None:
    path = run_dir / f"{gate}.json"
    if not path.is_file():
        return None
    try:
        return GateResult.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise GateUnavailable(f"{path} is not a valid gate result: {str(exc).splitlines()[0]}") from exc


def compute(
    argv: list[str], base: str, head: str, cwd: Path, env: Mapping[str, str], timeout: float
) -> GateResult:
    if not argv:
        raise GateUnavailable("no command is configured to compute it")
    program = shutil.which(argv[0], path=env.get("PATH"))
    if program is None:
        raise GateUnavailable(f"'{argv[0]}' is not on PATH")
    full = [program, *argv[1:], "--format", "json", "--no-record", "--base", base, "--head", head]
    try:
        proc = subprocess.run(full, cwd=cwd, env=dict(env), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise GateUnavailable(f"`{' '.join(argv)}` timed out after {timeout:g} s") from exc
    except OSError as exc:
        raise GateUnavailable(f"`{' '.join(argv)}` could not start: {exc}") from exc
    text = proc.stdout.decode("utf-8", "replace")
    try:
        return GateResult.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        said = f": {err[-1]}" if err else ""
        raise GateUnavailable(
            f"`{' '.join(argv)}` exited {proc.returncode} without a gate result{said}"
        ) from exc
