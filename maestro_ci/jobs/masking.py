"""Fast masking of large texts: run each rule only on the lines around its triggers.

Most rules start with ``\\b`` or a character class, which Python's regex engine
cannot skip ahead for: on a 100 MB log every rule would scan every byte. But a
rule can only match where one of its trigger strings occurs (that is what
triggers mean). So, for a large text, this module finds the triggers with
``str.find`` on a lower-cased copy, cuts the text into segments of whole lines
around them (the trigger's line plus the next line, and any blank lines after
it, for values written below their key), and runs a rule's regex only on the
segments where its triggers occur. Text between segments is copied unchanged.

A segment starts at a line start and ends at a line end, so ``^``, ``$`` and
``\\b`` see the same neighbours as in the whole text. Rules whose matches may
span many lines (private-key blocks) and rules without triggers (user patterns)
run on the whole text, in their place in the rule order. The result equals
masking the whole text with every rule (a property test compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from maestro_ci.jobs.secrets import Masker

Replacer = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class WindowRule:
    """A rule as this module sees it: its regex, replacer and the needles that must occur."""

    regex: re.Pattern[str]
    replace: Replacer
    needles: tuple[str, ...]  # lower-case; empty: run on the whole text


# beyond this share of the text in segments, scanning the whole text is cheaper
WHOLE_TEXT_SHARE = 0.5
BLANK_LINES_FOLLOWED = 4


@dataclass(frozen=True)
class Group:
    """Consecutive windowable rules, and the scanners that find any of their needles."""

    rules: tuple[WindowRule, ...]
    scanners: tuple[re.Pattern[str] | str, ...]


def _scanners(rules: Sequence[WindowRule]) -> tuple[re.Pattern[str] | str, ...]:
    """One ``str.find`` needle, or one regex per first character (the engine then skips
    ahead to that character), so the text is scanned once per first character."""
    by_first: dict[str, set[str]] = {}
    for rule in rules:
        for needle in rule.needles:
            by_first.setdefault(needle[0], set()).add(needle)
    found: list[re.Pattern[str] | str] = []
    for first, needles in sorted(by_first.items()):
        if len(needles) == 1:
            found.append(needles.pop())
            continue
        rests = sorted((re.escape(n[1:]) for n in needles), key=lambda r: (-len(r), r))
        found.append(re.compile(re.escape(first) + "(?:" + "|".join(rests) + ")"))
    return tuple(found)


def plan(rules: Sequence[WindowRule]) -> list[Group | WindowRule]:
    """Rules in order; consecutive windowable rules become one :class:`Group`."""
    steps: list[Group | WindowRule] = []
    pending: list[WindowRule] = []
    for rule in [*rules, None]:
        if rule is not None and rule.needles:
            pending.append(rule)
            continue
        if pending:
            steps.append(Group(tuple(pending), _scanners(pending)))
            pending = []
        if rule is not None:
            steps.append(rule)
    return steps


def _window(text: str, hit: int, end_of_hit: int) -> tuple[int, int]:
    """Whole lines around a hit: its line, the next line, and blank lines in between."""
    start = text.rfind("\n", 0, hit) + 1
    end = text.find("\n", end_of_hit)
    if end == -1:
        return start, len(text)
    for _ in range(BLANK_LINES_FOLLOWED + 1):
        nxt = text.find("\n", end + 1)
        line = text[end + 1 : nxt if nxt != -1 else len(text)]
        end = nxt if nxt != -1 else len(text)
        if line.strip() or end == len(text):
            break
    return start, end


def _hits(lowered: str, scanner: re.Pattern[str] | str) -> list[tuple[int, int]]:
    if isinstance(scanner, str):
        out: list[tuple[int, int]] = []
        pos = lowered.find(scanner)
        while pos != -1:
            out.append((pos, pos + len(scanner)))
            pos = lowered.find(scanner, pos + 1)
        return out
    return [match.span() for match in scanner.finditer(lowered)]


def _segments(text: str, lowered: str, group: Group) -> list[tuple[int, int]]:
    """Disjoint segments of whole lines around every needle, in text order."""
    windows = sorted(_window(text, a, b) for scanner in group.scanners for a, b in _hits(lowered, scanner))
    merged: list[tuple[int, int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            continue
        merged.append((start, end))
    return merged


def _mask_group(text: str, group: Group) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        return _whole(text, group)
    segments = _segments(text, lowered, group)
    if not segments:
        return text
    if sum(end - start for start, end in segments) > WHOLE_TEXT_SHARE * len(text):
        return _whole(text, group)
    pieces: list[str] = []
    last = 0
    for start, end in segments:
        pieces.append(text[last:start])
        part = text[start:end]
        low = lowered[start:end]
        for rule in group.rules:
            if any(needle in low for needle in rule.needles):
                part = rule.regex.sub(rule.replace, part)
        pieces.append(part)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _whole(text: str, group: Group) -> str:
    lowered = text.lower()
    for rule in group.rules:
        if any(needle in lowered for needle in rule.needles):
            text = rule.regex.sub(rule.replace, text)
    return text


def mask_large(text: str, steps: Sequence[Group | WindowRule]) -> str:
    """Apply a :func:`plan`: groups segment by segment, other rules over the whole text."""
    for step in steps:
        text = _mask_group(text, step) if isinstance(step, Group) else step.regex.sub(step.replace, text)
    return text


_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


class StreamMasker:
    """Masks a stream in bounded memory; private-key blocks span lines.

    ``feed`` takes lines or blocks of whole lines (see :func:`read_blocks`) and yields
    masked text in batches of about ``batch_bytes``.
    """

    def __init__(self, masker: Masker, batch_bytes: int = 1 << 20) -> None:
        self.masker = masker
        self.batch_bytes = batch_bytes
        self._in_key = False

    def feed(self, lines: Iterable[str]) -> Iterator[str]:
        batch: list[str] = []
        size = 0
        for item in lines:
            if not self._in_key and "PRIVATE KEY" not in item:
                batch.append(item)
                size += len(item)
                if size >= self.batch_bytes:
                    yield self.masker.mask("".join(batch))
                    batch, size = [], 0
                continue
            for line in _LINE.findall(item):
                if self._in_key or "PRIVATE KEY" in line:
                    if batch:
                        yield self.masker.mask("".join(batch))
                        batch, size = [], 0
                    yield self._key_line(line)
                else:
                    batch.append(line)
                    size += len(line)
        if batch:
            yield self.masker.mask("".join(batch))

    def _key_line(self, line: str) -> str:
        if not self._in_key:
            begin = _PEM_BEGIN.search(line)
            if begin is None:
                return self.masker.mask(line)
            end = _PEM_END.search(line, begin.end())
            if end is not None:
                return self.masker.mask(line)
            self._in_key = True
            newline = "\n" if line.endswith("\n") else ""
            return line[: begin.start()] + self.masker.replacement + newline
        end = _PEM_END.search(line)
        if end is None:
            return ""
        self._in_key = False
        return self.masker.mask(line[end.end() :])


def read_blocks(stream: IO[str], size: int = 1 << 20, longest_line: int = 8 << 20) -> Iterator[str]:
    """Blocks of whole lines from a text stream (a line longer than ``longest_line`` is cut)."""
    rest = ""
    while chunk := stream.read(size):
        chunk = rest + chunk
        cut = chunk.rfind("\n") + 1
        if cut == 0 and len(chunk) < longest_line:
            rest = chunk
            continue
        cut = cut or len(chunk)
        yield chunk[:cut]
        rest = chunk[cut:]
    if rest:
        yield rest
