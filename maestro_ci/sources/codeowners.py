"""CODEOWNERS with GitHub's semantics, shared by the policy and risk gates.

GitHub reads the first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and
``docs/CODEOWNERS``. The last matching pattern wins; a pattern with no owners
clears ownership; ``docs/*`` matches direct children only (unlike
``.gitignore``, which is why this is not ``pathspec``); ``!`` negation and
``[...]`` ranges are not supported by GitHub and are reported as errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from maestro_ci.errors import InputError
from maestro_ci.sources.store import read_text

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class CodeOwners:
    file: str
    rules: tuple[OwnerRule, ...]

    def rule_for(self, path: str) -> OwnerRule | None:
        """The last rule whose pattern matches ``path`` (repository-relative, ``/``-separated)."""
        path = path.lstrip("/")
        for rule in reversed(self.rules):
            if rule.regex.match(path):
                return rule
        return None

    def owners_of(self, path: str) -> tuple[str, ...]:
        rule = self.rule_for(path)
        return rule.owners if rule else ()


def translate(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS pattern as a regex over repository-relative paths."""
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    last = body.rsplit("/", 1)[-1]
    if directory:
        tail = "/.*"
    elif "*" in last or body.endswith("/**"):
        tail = "$"  # `docs/*` and `*.js` match files, not what is below a matched folder
    else:
        tail = "(?:$|/.*)"
    head = "^" if anchored else "^(?:.*/)?"
    return re.compile(head + "".join(out) + tail)


def parse(text: str, file: str) -> CodeOwners:
    rules: list[OwnerRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"(?<!\\)\s+", line)
        pattern = parts[0].replace("\\#", "#").replace("\\ ", " ")
        owners = tuple(p for p in parts[1:] if not p.startswith("#"))
        if "#" in parts[1:]:
            owners = tuple(parts[1 : parts.index("#")])
        if pattern.startswith("!") or re.search(r"(?<!\\)\[", pattern):
            raise InputError(
                f"pattern '{pattern}' uses syntax GitHub does not support in CODEOWNERS",
                file=file,
                place=f"line {number}",
                fix="remove '!' negation and '[...]' ranges; list the paths instead",
            )
        for owner in owners:
            if not re.match(r"^(@[\w.-]+(/[\w.-]+)?|[^@\s]+@[^@\s]+)$", owner):
                raise InputError(
                    f"'{owner}' is not an owner",
                    file=file,
                    place=f"line {number}",
                    fix="owners are @user, @org/team or an email address",
                )
        rules.append(OwnerRule(pattern, owners, number, translate(pattern)))
    return CodeOwners(file, tuple(rules))


def find(root: Path) -> Path | None:
    for rel in LOCATIONS:
        if (root / rel).is_file():
            return root / rel
    return None


def load(root: Path) -> CodeOwners | None:
    """The repository's CODEOWNERS, or None when it has none."""
    path = find(root)
    if path is None:
        return None
    rel = path.relative_to(root).as_posix()
    return parse(read_text(path, "CODEOWNERS file"), rel)
