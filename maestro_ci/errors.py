"""One base error that explains itself, and the exit codes it maps to.

Expected problems with the user's input raise :class:`MaestroError` (exit 2);
a source that cannot give a verdict raises :class:`SourceUnavailable` (exit 3).
Only ``cli.py`` turns these into a process exit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BLOCKED = 1
    USAGE = 2
    NO_VERDICT = 3
    INTERRUPTED = 130


@dataclass
class MaestroError(Exception):
    """A problem the user can fix: names the file, the place in it and the fix."""

    message: str
    file: str | None = None
    place: str | None = None
    fix: str | None = None

    exit_code = ExitCode.USAGE

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def diagnostics(self) -> str:
        """One line (plus an optional fix line) a person can act on."""
        where = ""
        if self.file:
            where = self.file + _place_suffix(self.place) + ": "
        elif self.place:
            where = f"{self.place}: "
        text = f"{where}{self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text

    def __str__(self) -> str:
        return self.diagnostics()


class UsageError(MaestroError):
    """Bad command-line arguments or an impossible combination of them."""


class InputError(MaestroError):
    """A file given to us is missing, unreadable or invalid."""


@dataclass
class SourceUnavailable(MaestroError):
    """A source stayed unreachable: no verdict can be reached (fail closed)."""

    exit_code = ExitCode.NO_VERDICT


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


_LINE_PLACE = re.compile(r"^line (\d+)(?:, column (\d+))?$")


def _place_suffix(place: str | None) -> str:
    """``line 3, column 5`` becomes ``:3:5`` (editor-clickable); other places go in parentheses."""
    if not place:
        return ""
    match = _LINE_PLACE.match(place)
    if match:
        return ":" + ":".join(g for g in match.groups() if g)
    return f" ({place})"
