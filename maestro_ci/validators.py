"""Which loader validates which kind of file, for ``maestro-ci validate`` and the hook.

Each kind names the function (``module:function``) that loads and fully
validates a file of that kind, raising :class:`InputError` on any problem. The
job that owns the file format owns the loader.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, cast

KINDS: dict[str, str] = {
    "config": "maestro_ci.config:load_config",
    "policy": "maestro_ci.jobs.policy_model:load_rules",
    "eval": "maestro_ci.jobs.evals_model:load_scenario",
    "health": "maestro_ci.jobs.health_model:load_gate",
}
YAML_SUFFIXES = (".yml", ".yaml")


def loader(kind: str) -> Callable[[Path], Any]:
    module, func = KINDS[kind].split(":")
    return cast(Callable[[Path], Any], getattr(importlib.import_module(module), func))


def detect_kind(path: Path) -> str | None:
    """Guess the kind from the path: ``.maestro.yml``, ``policy/``, ``evals/``, ``*gate*.yml``."""
    posix = PurePosixPath(path.as_posix())
    if posix.name in (".maestro.yml", ".maestro.yaml"):
        return "config"
    if posix.suffix not in YAML_SUFFIXES:
        return None
    parts = {p.lower() for p in posix.parts[:-1]}
    if "policy" in parts or posix.name.startswith("policy"):
        return "policy"
    if "evals" in parts or "eval" in parts:
        return "eval"
    if "gate" in posix.name or "health" in parts or "gates" in parts:
        return "health"
    return None


def discover(root: Path) -> list[Path]:
    """The files ``validate`` checks when none are named."""
    found: list[Path] = []
    for name in (".maestro.yml", ".maestro.yaml"):
        if (root / name).is_file():
            found.append(root / name)
    for folder in ("policy", "evals"):
        base = root / folder
        if base.is_dir():
            found += sorted(p for p in base.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    return found
