"""Secret scanning on top of the masker's rules: entropy, placeholders, allow comments.

- The masker's rules find known shapes (cloud keys, tokens, passwords).
- Generic secrets are found by entropy: tokens of 20+ characters from the
  base64/url-safe alphabet that mix upper case, lower case and digits and whose
  Shannon entropy is close to the maximum for their length. Hashes in lock files
  (``sha512-…``, ``--hash=sha256:…``, ``h1:…``), base64 images (``data:…;base64,``),
  ``${VAR}`` placeholders, hex digests, git SHAs and UUIDs never qualify.
- Values that are placeholders (``changeme``, ``<password>``, ``${DB_PASSWORD}``,
  ``xxxx``) or code references (``settings.SECRET_KEY``, ``os.environ.get(``) are dropped.
- A line holding ``maestro: allow-secret`` (or the comment line just above it) is skipped.

Values never leave this module: a finding carries a masked preview and a
fingerprint (sha256 of rule and value), which is what a baseline stores.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from maestro_ci.jobs.secrets import Finding, Masker, Rule, preview

ALLOW_MARKER = "maestro: allow-secret"
GENERIC_RULE = Rule(
    "high-entropy-string",
    "generic",
    re.compile(r"(?<![A-Za-z0-9+/_\-])([A-Za-z0-9+/_\-]{20,}={0,2})(?![A-Za-z0-9+/_=\-])"),
    1,
    (),
    "Generic high-entropy string (random-looking token)",
)
_HASH_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)|md5|blake2b?|h1)[-:=]$", re.IGNORECASE)
_HASHY_KEYS = re.compile(
    r"(?i)(?:integrity|checksum|digest|hash|sha\d*|commit|revision|etag|nonce|uuid)\W{0,4}$"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|-+|_+|0+|changeme|change_me|password|passwd|secret|example|sample|test|"
    r"dummy|placeholder|redacted|null|none|nil|true|false|undefined|todo|tbd|"
    r"(?:your|my|insert|enter|replace)[-_ ]?.*|.*(?:example|placeholder|here|dummy|changeme|redacted).*|"
    r"<.*>|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|%\(.*\)s?|\$[A-Z_][A-Z0-9_]*)$"
)
_CODE_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|->|::)[A-Za-z_][A-Za-z0-9_]*)*(?:[(\[].*)?$")
_WORDY_SEGMENT = re.compile(r"^[a-z]{3,}(?:[-_.][a-z0-9]+)*$")
GENERIC_MIN_LENGTH = 20
ENTROPY_RATIO = 0.83


@dataclass(frozen=True)
class SecretFinding(Finding):
    """A masker finding plus the fingerprint a baseline accepts it by."""

    fingerprint: str


def shannon(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(token: str) -> bool:
    """A token that is probably a secret: mixed classes, high entropy, not a hash or a path."""
    body = token.rstrip("=")
    if len(body) < GENERIC_MIN_LENGTH or len(body) > 512:
        return False
    if not (
        any(c.isupper() for c in body) and any(c.islower() for c in body) and any(c.isdigit() for c in body)
    ):
        return False
    if "/" in body and any(_WORDY_SEGMENT.match(seg) for seg in body.split("/")):
        return False  # a file path or URL path
    if re.fullmatch(r"[A-Za-z]+(?:[_-][A-Za-z0-9]+)+", body) and not re.search(
        r"[a-z][A-Z0-9]|[0-9][a-zA-Z]", body.replace("_", "").replace("-", "")
    ):
        return False  # snake/kebab-case words
    cap = math.log2(min(len(body), 64))
    return shannon(body) >= ENTROPY_RATIO * cap


def is_code_reference(value: str) -> bool:
    """``settings.SECRET``, ``os.environ.get(``, ``get_password()`` — code, not a value."""
    if not _CODE_REF.match(value):
        return False
    if not any(c in value for c in ".([") and "->" not in value and "::" not in value:
        return False
    return not (any(c.isdigit() for c in value) and shannon(value) > 3.5)


def fingerprint(rule: str, value: str) -> str:
    return hashlib.sha256(f"{rule}\0{value}".encode()).hexdigest()


def _allowed_lines(lines: list[str]) -> set[int]:
    allowed: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if ALLOW_MARKER in line:
            allowed.add(number)
            stripped = line.strip()
            if stripped.startswith(("#", "//", "--", "/*", "<!--")) and stripped.endswith(
                (ALLOW_MARKER, "*/", "-->")
            ):
                allowed.add(number + 1)
    return allowed


def _context(text: str, start: int) -> str:
    return text[max(0, start - 24) : start]


def _skip_generic(text: str, start: int) -> bool:
    before = _context(text, start)
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start : text.find("\n", start) if text.find("\n", start) >= 0 else len(text)]
    if _HASH_PREFIX.search(before) or _HASHY_KEYS.search(before):
        return True
    if ";base64," in line or "data:image" in line:
        return True
    return before.endswith(("${", "{{", "$(", "%(", "$"))


def scan_text(
    text: str,
    file: str,
    masker: Masker,
    entropy: bool = True,
    only_lines: Collection[int] | None = None,
) -> list[SecretFinding]:
    """Every secret in ``text`` (optionally only on ``only_lines``), as masked findings."""
    lines = text.split("\n")
    allowed = _allowed_lines(lines) if ALLOW_MARKER in text else set()
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    taken: list[tuple[int, int]] = []
    found: list[SecretFinding] = []
    lowered = text.lower()
    rules = [r for r in masker.rules if not r.triggers or any(t in lowered for t in r.triggers)]
    rules += [GENERIC_RULE] if entropy else []
    for rule in rules:
        for match in rule.regex.finditer(text):
            value = match.group(rule.group)
            if not value or value == masker.replacement:
                continue
            pos, end = match.start(rule.group), match.end(rule.group)
            if any(s <= pos < e or pos <= s < end for s, e in taken):
                continue
            line = bisect.bisect_right(starts, pos)
            if line in allowed or (only_lines is not None and line not in only_lines):
                continue
            if rule is GENERIC_RULE:
                if not looks_random(value) or _skip_generic(text, pos):
                    continue
            elif "example" in value.lower() or (
                rule.family in ("password", "connection-string", "auth-header")
                and (_PLACEHOLDER.match(value) or is_code_reference(value))
            ):
                continue
            taken.append((pos, end))
            found.append(
                SecretFinding(
                    rule.id,
                    rule.family,
                    file,
                    line,
                    pos - starts[line - 1] + 1,
                    preview(value),
                    fingerprint(rule.id, value),
                )
            )
    return sorted(found, key=lambda f: (f.file, f.line, f.column, f.rule))
