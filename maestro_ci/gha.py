"""All GitHub Actions I/O: outputs, step summary, annotations, masks, groups, the event file.

Nothing else in maestro-ci knows it runs in Actions. Every text written here
has already passed through the masker (the ``mask`` callable), and this class
masks again on the way out, so a caller cannot forget.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects step summaries over 1 MiB
ANNOTATIONS_PER_LEVEL = 10  # GitHub shows at most 10 of each level per step
LEVELS = ("error", "warning", "notice")


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _identity(text: str) -> str:
    return text


@dataclass
class GitHubActions:
    env: Mapping[str, str]
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    mask: Callable[[str], str] = _identity
    emitted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def active(self) -> bool:
        return self.env.get("GITHUB_ACTIONS") == "true"

    def _file(self, name: str) -> Path | None:
        value = self.env.get(name)
        return Path(value) if value else None

    def set_output(self, name: str, value: str) -> bool:
        """Append ``name`` to ``GITHUB_OUTPUT``; multi-line values use a random heredoc delimiter."""
        path = self._file("GITHUB_OUTPUT")
        if path is None:
            return False
        value = self.mask(value)
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        return True

    def append_summary(self, markdown: str, artifact_hint: str = "the JSON results") -> bool:
        """Append to ``GITHUB_STEP_SUMMARY``, capped under 1 MiB with a truncation note."""
        path = self._file("GITHUB_STEP_SUMMARY")
        if path is None:
            return False
        text = cap_markdown(self.mask(markdown), SUMMARY_LIMIT - _size(path), artifact_hint)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
        return True

    def annotate(
        self,
        level: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        title: str | None = None,
        end_line: int | None = None,
    ) -> bool:
        """Print an annotation; past 10 per level they are counted, not printed."""
        if level not in LEVELS:
            raise ValueError(f"unknown annotation level {level!r}")
        if self.emitted[level] >= ANNOTATIONS_PER_LEVEL:
            self.dropped[level] += 1
            return False
        props = []
        if file:
            props.append(f"file={escape_property(self.mask(file))}")
        if line:
            props.append(f"line={line}")
        if end_line:
            props.append(f"endLine={end_line}")
        if title:
            props.append(f"title={escape_property(self.mask(title))}")
        head = f"::{level} {','.join(props)}::" if props else f"::{level}::"
        self.stdout.write(head + escape_data(self.mask(message)) + "\n")
        self.emitted[level] += 1
        return True

    def add_mask(self, value: str) -> None:
        """Ask the runner to mask a value in its own log too."""
        if self.active and value:
            self.stdout.write(f"::add-mask::{escape_data(value)}\n")

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        if self.active:
            self.stdout.write(f"::group::{escape_data(self.mask(title))}\n")
        try:
            yield
        finally:
            if self.active:
                self.stdout.write("::endgroup::\n")

    def event(self) -> dict[str, Any]:
        """The event payload (``GITHUB_EVENT_PATH``), or {} when absent or unreadable."""
        path = self._file("GITHUB_EVENT_PATH")
        if path is None or not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def pull_request(self) -> dict[str, Any]:
        pr = self.event().get("pull_request")
        return pr if isinstance(pr, dict) else {}

    def pull_request_range(self) -> tuple[str, str] | None:
        """Base and head SHAs of the pull request in the event file."""
        pr = self.pull_request()
        base = (pr.get("base") or {}).get("sha")
        head = (pr.get("head") or {}).get("sha")
        if isinstance(base, str) and isinstance(head, str) and base and head:
            return base, head
        return None

    def pull_request_labels(self) -> list[str]:
        labels = self.pull_request().get("labels") or []
        return sorted(str(item.get("name")) for item in labels if isinstance(item, dict) and item.get("name"))

    def pull_request_number(self) -> int | None:
        number = self.pull_request().get("number")
        return number if isinstance(number, int) else None


def read_outputs(path: Path) -> dict[str, str]:
    """Parse a ``GITHUB_OUTPUT`` file (``name=value`` lines and ``name<<DELIM`` heredocs)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    outputs: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1  # the closing delimiter
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def cap_markdown(text: str, budget: int, artifact_hint: str) -> str:
    """Cut ``text`` to ``budget`` bytes at a line boundary, ending with a note saying so."""
    data = text.encode("utf-8")
    if len(data) <= budget:
        return text
    note = (
        f"\n\n> **Summary truncated**: the full page is {len(data):,} bytes, over GitHub's "
        f"1 MiB limit. See {artifact_hint} for everything.\n"
    )
    room = max(0, budget - len(note.encode("utf-8")))
    cut = data[:room].decode("utf-8", "ignore")
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else ""
    return cut + note
