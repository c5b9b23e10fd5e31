"""CycloneDX SBOMs: written by the CycloneDX Python tool (``cyclonedx-py``), read back checked.

We never write an SBOM by hand: ``cyclonedx-py requirements|environment`` runs
as a subprocess of the current interpreter, with reproducible output, and
its JSON is checked before we keep it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError, SourceUnavailable
from maestro_ci.sources.store import read_json

TIMEOUT = 600
# ``python -m cyclonedx_py``, with the optional IRI grammar package kept out: it builds a parser
# at import time (seconds) and only checks IRI formats; the SBOM is still validated by the tool.
_LAUNCH = (
    "import runpy, sys; sys.modules['rfc3987_syntax'] = None; "
    "sys.argv = ['cyclonedx-py', *sys.argv[1:]]; "
    "runpy.run_module('cyclonedx_py', run_name='__main__', alter_sys=True)"
)


def generate(kind: str, target: Path) -> dict[str, Any]:
    """Run ``cyclonedx-py KIND TARGET`` and return the CycloneDX JSON document."""
    if kind == "requirements":
        if not target.is_file():
            raise InputError(
                "requirements file not found" if not target.exists() else "expected a file, found a folder",
                file=str(target),
                fix="pass a pip requirements file, e.g. --requirements requirements.txt",
            )
    elif not target.exists():
        raise InputError(
            "Python environment not found",
            file=str(target),
            fix="pass a virtual environment folder or its python, e.g. --environment .venv",
        )
    argv = [sys.executable, "-c", _LAUNCH, kind, str(target)]
    argv += ["--output-reproducible", "--output-format", "JSON", "--output-file", "-"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceUnavailable(
            f"cyclonedx-py could not run: {exc}", fix="reinstall maestro-ci (it depends on cyclonedx-bom)"
        ) from exc
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit code {proc.returncode}"
        raise InputError(
            f"cyclonedx-py {kind} failed: {last}",
            file=str(target),
            fix="check that the file or environment is valid (run cyclonedx-py by hand to see more)",
        )
    try:
        data = json.loads(proc.stdout)
    except ValueError as exc:
        raise SourceUnavailable(f"cyclonedx-py wrote invalid JSON: {exc}") from exc
    check_sbom(data, str(target))
    return dict(data)


def check_sbom(data: Any, file: str) -> None:
    """The parts of a CycloneDX JSON document we rely on."""
    fix = "pass a CycloneDX JSON SBOM (e.g. one written by 'maestro-ci sbom')"
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise InputError("not a CycloneDX JSON document ('bomFormat' is not 'CycloneDX')", file=file, fix=fix)
    components = data.get("components", [])
    if not isinstance(components, list):
        raise InputError("'components' is not a list", file=file, place="$.components", fix=fix)
    for index, item in enumerate(components):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise InputError("component has no name", file=file, place=f"$.components[{index}]", fix=fix)
        for key in ("version", "group", "purl"):
            if key in item and not isinstance(item[key], str):
                raise InputError(
                    f"component '{key}' is not a string", file=file, place=f"$.components[{index}]", fix=fix
                )
        if "licenses" in item and not isinstance(item["licenses"], list):
            raise InputError(
                "'licenses' is not a list", file=file, place=f"$.components[{index}].licenses", fix=fix
            )


def load_sbom(path: Path) -> dict[str, Any]:
    data = read_json(path, "SBOM")
    check_sbom(data, str(path))
    return dict(data)
