"""One resolver for every front end: defaults < .maestro.yml < MAESTRO_* env < flags.

Nested keys come from the environment as ``MAESTRO_<SECTION>__<KEY>`` (values
parsed as YAML scalars, so ``4`` is a number and ``true`` a boolean), e.g.
``MAESTRO_SHARD__SHARDS=4``. Flags arrive as ``{"shard.shards": 4}``.
"""

from __future__ import annotations

import os
import secrets as _random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import InputError, UsageError

if TYPE_CHECKING:
    from maestro_ci.config import MaestroConfig
    from maestro_ci.jobs.secrets import Masker

ENV_PREFIX = "MAESTRO_"
# Environment variables with a meaning of their own, not config keys.
RESERVED_ENV = {
    "MAESTRO_CONFIG",
    "MAESTRO_RUN_ID",
    "MAESTRO_RUN_DIR",
    "MAESTRO_MASK_REGEXES",
    "MAESTRO_MASK_REPLACEMENT",
    "MAESTRO_OVERRIDE",
    "MAESTRO_REQUIRE_REAL_COMPONENTS",
    "MAESTRO_NO_RECORD",
}


@dataclass
class Settings:
    """What a front end needs to run a job: the config, where it came from, the run."""

    cwd: Path
    root: Path | None
    config_file: Path | None
    config: MaestroConfig
    run_id: str
    run_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    _masker: Masker | None = None

    @property
    def base_dir(self) -> Path:
        return self.root or self.cwd

    @property
    def masker(self) -> Masker:
        if self._masker is None:
            from maestro_ci.jobs.secrets import build_masker

            patterns = list(self.config.mask.patterns)
            env_patterns = self.env.get("MAESTRO_MASK_REGEXES", "")
            patterns += [p for p in env_patterns.split(",") if p.strip()]
            replacement = self.env.get("MAESTRO_MASK_REPLACEMENT") or self.config.mask.replacement
            self._masker = build_masker(patterns, replacement)
        return self._masker


def _env_layer(env: Mapping[str, str]) -> dict[str, Any]:
    import yaml

    layer: dict[str, Any] = {}
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in RESERVED_ENV or "__" not in name:
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX) :].split("__")]
        try:
            value = yaml.safe_load(env[name]) if env[name] else ""
        except yaml.YAMLError:
            value = env[name]
        _set(layer, keys, value, origin=f"environment variable {name}")
    return layer


def _set(tree: dict[str, Any], keys: list[str], value: Any, origin: str) -> None:
    node = tree
    for key in keys[:-1]:
        nxt = node.setdefault(key, {})
        if not isinstance(nxt, dict):
            raise UsageError(f"{origin} sets '{key}', which is not a section")
        node = nxt
    node[keys[-1]] = value


def _merge(base: dict[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def new_run_id(env: Mapping[str, str]) -> str:
    """``MAESTRO_RUN_ID``, else the GitHub run id and attempt, else a fresh local id."""
    if env.get("MAESTRO_RUN_ID"):
        return env["MAESTRO_RUN_ID"]
    if env.get("GITHUB_RUN_ID"):
        return f"gh-{env['GITHUB_RUN_ID']}-{env.get('GITHUB_RUN_ATTEMPT', '1')}"
    return time.strftime("local-%Y%m%dT%H%M%S", time.gmtime()) + f"-{_random.token_hex(3)}"


def resolve(
    cwd: Path | None = None,
    config_path: str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    ignore_file: bool = False,
) -> Settings:
    """Resolve settings for one invocation, validating the merged config once per layer."""
    from maestro_ci.config import MaestroConfig, discover, read_config_document
    from maestro_ci.sources.git import repo_root
    from maestro_ci.sources.yamlfile import Document, validate_document

    env = dict(os.environ if env is None else env)
    cwd = (cwd or Path.cwd()).resolve()
    root = repo_root(cwd)
    explicit = config_path or env.get("MAESTRO_CONFIG")
    path: Path | None = None
    if ignore_file:
        path = None
    elif explicit:
        given = Path(explicit)
        path = given if given.is_absolute() else cwd / given
        if not path.exists():
            raise InputError("config file not found", file=explicit, fix="check --config / MAESTRO_CONFIG")
    else:
        path = discover(cwd, root)
    data: dict[str, Any] = {}
    doc: Document | None = None
    if path is not None:
        doc = read_config_document(path)
        validate_document(doc, MaestroConfig)  # errors point into the file
        data = dict(doc.data)
    for origin, layer in (
        ("environment (MAESTRO_*)", _env_layer(env)),
        ("flags", _flag_layer(overrides)),
    ):
        if not layer:
            continue
        data = _merge(data, layer)
        validate_document(Document(origin, data, {}), MaestroConfig)
    config = MaestroConfig.model_validate(data)
    base = root or cwd
    run_id = new_run_id(env)
    run_root = Path(env.get("MAESTRO_RUN_DIR") or config.run.dir)
    if not run_root.is_absolute():
        run_root = base / run_root
    return Settings(cwd, root, path, config, run_id, run_root / run_id, env)


def _flag_layer(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for dotted, value in sorted((overrides or {}).items()):
        if value is not None:
            _set(layer, dotted.split("."), value, origin=f"flag for {dotted}")
    return layer
