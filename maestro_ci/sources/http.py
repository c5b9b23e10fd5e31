"""HTTP for metric sources (httpx): one client per analysis, failures as :class:`ProbeError`.

With :mod:`maestro_ci.sources.prometheus`, the only module that touches the network.
Imported lazily, only when a gate has an HTTP source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from maestro_ci import __version__
from maestro_ci.sources.probe import ProbeError, excerpt


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    text: str
    content_type: str


class HttpClient:
    """A pooled client; ``request`` returns the answer or raises ProbeError for no answer."""

    def __init__(self) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": f"maestro-ci/{__version__}"}, follow_redirects=True, trust_env=False
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        timeout: float,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        body: Any = None,
    ) -> Answer:
        try:
            response = self._client.request(
                method,
                url,
                headers=headers,
                params=params,
                json=body if method == "POST" and body is not None else None,
                timeout=httpx.Timeout(timeout),
            )
        except httpx.TimeoutException:
            raise ProbeError(f"{url} did not answer within {timeout:g}s", unreachable=True) from None
        except httpx.ConnectError as exc:
            raise ProbeError(f"cannot connect to {url}: {_short(exc)}", unreachable=True) from None
        except httpx.InvalidURL as exc:
            raise ProbeError(f"invalid URL {url!r}: {exc}") from None
        except httpx.UnsupportedProtocol:
            raise ProbeError(f"invalid URL {url!r}: use http:// or https://") from None
        except httpx.HTTPError as exc:
            raise ProbeError(f"request to {url} failed: {_short(exc)}", unreachable=True) from None
        text = response.text
        try:
            parsed: Any = json.loads(text) if text.strip() else None
        except ValueError:
            parsed = None
        return Answer(response.status_code, parsed, text, response.headers.get("content-type", ""))


def _short(exc: Exception) -> str:
    return excerpt(str(exc) or type(exc).__name__, 160)


def get_json(
    client: HttpClient,
    url: str,
    method: str,
    headers: dict[str, str],
    body: Any,
    timeout: float,
) -> Any:
    """The JSON document an endpoint answers; 5xx and 429 are retried, other errors are not."""
    answer = client.request(method, url, timeout, headers=headers, body=body)
    if answer.status >= 500 or answer.status == 429:
        raise ProbeError(f"{url} answered HTTP {answer.status}: {excerpt(answer.text, 80)}", unreachable=True)
    if answer.status >= 400:
        raise ProbeError(f"{url} answered HTTP {answer.status}: {excerpt(answer.text, 80)}")
    if answer.body is None:
        raise ProbeError(f"{url} did not answer JSON: {excerpt(answer.text, 80)!r}", retry=True)
    return answer.body
