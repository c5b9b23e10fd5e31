"""Metric values from local files and commands: a number or JSON, with a JSON path.

Used by the health gate's ``file`` and ``command`` sources; the JSON path picks the
value, and a path matching nothing is "no data" (named), not an error.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from maestro_ci.sources.jsonpath import select
from maestro_ci.sources.probe import Probe, ProbeError, excerpt, to_value


def read_file(path: Path, shown: str, json_path: str) -> Probe:
    """The value in a JSON file (or a file holding one number); a missing file is no data."""
    resolved = f"{shown} {json_path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Probe(None, resolved, no_data=f"{shown} does not exist")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProbeError(f"cannot read {shown}: {exc}") from None
    return parse_text(text, json_path, resolved)


def run_command(argv: list[str], timeout: float, cwd: Path, json_path: str) -> Probe:
    """Run a command (no shell); its stdout is a number or JSON."""
    shown = " ".join(argv)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)
    except FileNotFoundError:
        raise ProbeError(f"command not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise ProbeError(f"command '{shown}' did not finish within {timeout:g}s", unreachable=True) from None
    if proc.returncode != 0:
        raise ProbeError(f"command '{shown}' exited {proc.returncode}: {excerpt(proc.stderr, 100)}")
    return parse_text(proc.stdout, json_path, f"{shown} {json_path}")


def parse_text(text: str, json_path: str, resolved: str) -> Probe:
    if not text.strip():
        return Probe(None, resolved, no_data="the output is empty")
    try:
        document: Any = json.loads(text)
    except ValueError:
        raise ProbeError(f"not a number or JSON: {excerpt(text, 80)!r}", retry=False) from None
    return pick(document, json_path, resolved)


def pick(document: Any, json_path: str, resolved: str) -> Probe:
    """The value at ``json_path``; a path matching nothing or null is no data, named."""
    value, missing = select(document, json_path)
    if missing:
        return Probe(None, resolved, raw=excerpt(document), no_data=f"JSON path {missing}")
    if value is None:
        return Probe(None, resolved, raw="null", no_data=f"JSON path {json_path} is null")
    return Probe(to_value(value, json_path), resolved, raw=excerpt(value))
