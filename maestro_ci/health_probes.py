"""Front-end glue of the health gate: turn a gate's sources into one ``fetch`` function.

Credentials and URLs named by environment variable are resolved here, before the
loop starts (a missing one is an :class:`InputError` naming the variable, exit 2).
HTTP goes through :mod:`maestro_ci.sources.http` and :mod:`maestro_ci.sources.prometheus`,
imported only when the gate has such a source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from maestro_ci.errors import InputError
from maestro_ci.jobs.health_model import (
    FileSource,
    GateSpec,
    HttpJsonSource,
    PrometheusSource,
    Remote,
    Source,
)
from maestro_ci.sections.health import HealthSection
from maestro_ci.sources.jsonpath import PathError, select
from maestro_ci.sources.local_metrics import pick, read_file, run_command
from maestro_ci.sources.probe import Probe

if TYPE_CHECKING:
    from maestro_ci.sources.http import HttpClient


def all_sources(spec: GateSpec) -> Iterator[tuple[str, Source]]:
    for metric in spec.metrics:
        yield metric.name, metric.source
        if metric.compare is not None:
            yield metric.name, metric.compare.baseline


def _need(env: Mapping[str, str], name: str, metric: str, what: str, gate_file: str | None) -> str:
    value = env.get(name, "")
    if not value:
        raise InputError(
            f"environment variable {name} ({what} of metric '{metric}') is not set",
            file=gate_file,
            fix=f"export {name}=... (in CI, from a secret) before running the gate",
        )
    return value


def check_sources(spec: GateSpec, env: Mapping[str, str], gate_file: str | None = None) -> None:
    """Fail early (exit 2) on a missing variable or an unreadable JSON path."""
    for metric, source in all_sources(spec):
        if isinstance(source, Remote):
            if source.url_env:
                _need(env, source.url_env, metric, "URL", gate_file)
            for header, name in source.headers_env.items():
                _need(env, name, metric, f"header {header}", gate_file)
            if source.bearer_token_env:
                _need(env, source.bearer_token_env, metric, "bearer token", gate_file)
        path = getattr(source, "json_path", None)
        if path is not None:
            try:
                select({}, path)
            except PathError as exc:
                raise InputError(
                    f"metric '{metric}': {exc}", file=gate_file, fix="fix the json_path"
                ) from None


def _fill(text: str, variables: dict[str, str]) -> str:
    for key, value in variables.items():
        text = text.replace("{{" + key + "}}", value)
    return text


class Fetcher:
    """Callable ``fetch(source, variables) -> Probe``; close() when the analysis ends."""

    def __init__(self, env: Mapping[str, str], base_dir: Path, config: HealthSection) -> None:
        self.env = env
        self.base_dir = base_dir
        self.config = config
        self._client: HttpClient | None = None

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            from maestro_ci.sources.http import HttpClient

            self._client = HttpClient()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _remote(self, source: Remote) -> tuple[str, dict[str, str], float]:
        url = source.url or self.env.get(source.url_env or "", "")
        headers = {header: self.env.get(name, "") for header, name in source.headers_env.items()}
        if source.bearer_token_env:
            headers["Authorization"] = f"Bearer {self.env.get(source.bearer_token_env, '')}"
        return url, headers, source.timeout or self.config.request_timeout

    def __call__(self, source: Source, variables: dict[str, str]) -> Probe:
        if isinstance(source, PrometheusSource):
            from maestro_ci.sources.prometheus import query

            url, headers, timeout = self._remote(source)
            window = source.range.window if source.range else None
            step = source.range.step if source.range else 60.0
            return query(self.client, url, _fill(source.query, variables), headers, timeout, window, step)
        if isinstance(source, HttpJsonSource):
            from maestro_ci.sources.http import get_json

            url, headers, timeout = self._remote(source)
            url = _fill(url, variables)
            document = get_json(self.client, url, source.method, headers, source.body, timeout)
            return pick(document, source.json_path, f"{source.method} {url} {source.json_path}")
        if isinstance(source, FileSource):
            path = Path(source.file)
            return read_file(
                path if path.is_absolute() else self.base_dir / path, source.file, source.json_path
            )
        argv = [_fill(a, variables) for a in source.argv]
        timeout = source.timeout or self.config.request_timeout
        return run_command(argv, timeout, self.base_dir, source.json_path)
