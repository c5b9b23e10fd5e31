"""Secret masking and scanning.

The masker is the last step of every output path: the front ends pass every
text they write through :meth:`Masker.mask` (or :class:`StreamMasker` for
streams). Each rule names the part of its match that is the secret, so the
context around it (``password=``, ``Authorization: Bearer``) stays readable.

Rules carry cheap ``triggers`` (lower-case substrings): a rule's regex runs on
a chunk only when one of its triggers is present, which keeps masking of large
logs fast.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from maestro_ci.errors import InputError
from maestro_ci.jobs.masking import Group, StreamMasker, WindowRule, mask_large, plan

__all__ = ["DEFAULT_RULES", "Finding", "Masker", "Rule", "StreamMasker", "build_masker"]

DEFAULT_REPLACEMENT = "***MASKED***"


@dataclass(frozen=True)
class Rule:
    """One secret pattern; ``group`` is the regex group holding the secret (0 = whole match)."""

    id: str
    family: str
    regex: re.Pattern[str]
    group: int = 0
    triggers: tuple[str, ...] = ()
    description: str = ""


def _rule(
    rule_id: str,
    family: str,
    pattern: str,
    group: int = 0,
    triggers: Sequence[str] = (),
    desc: str = "",
) -> Rule:
    return Rule(rule_id, family, re.compile(pattern), group, tuple(t.lower() for t in triggers), desc)


_KEYWORDS = (
    r"(?:[a-z0-9_.-]*(?:password|passwd|pwd|secret|api[_.-]?key|apikey|access[_.-]?key|"
    r"auth[_.-]?token|access[_.-]?token|refresh[_.-]?token|private[_.-]?key|client[_.-]?secret|"
    r"token|credentials?)|(?:[a-z0-9_.-]*[_.-])?pass)"
)

DEFAULT_RULES: tuple[Rule, ...] = (
    _rule(
        "private-key",
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
        triggers=["PRIVATE KEY"],
        desc="PEM/OpenSSH/PGP private key block",
    ),
    _rule(
        "aws-access-key-id",
        "aws",
        r"\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16})\b",
        1,
        ["AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"],
        "AWS access key id",
    ),
    _rule(
        "aws-secret-access-key",
        "aws",
        r"(?i)aws.{0,20}?(?:secret|private).{0,20}?['\"]?\s*[:=]\s*['\"]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        1,
        ["aws"],
        "AWS secret access key",
    ),
    _rule(
        "github-token",
        "github",
        r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        1,
        ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        "GitHub token",
    ),
    _rule(
        "slack-token",
        "slack",
        r"\b(xox[abposre]-[A-Za-z0-9-]{10,250})",
        1,
        ["xox"],
        "Slack token",
    ),
    _rule(
        "slack-webhook",
        "slack",
        r"https://hooks\.slack\.com/(?:services|workflows)/(T[A-Za-z0-9_/]{20,120})",
        1,
        ["hooks.slack.com"],
        "Slack webhook URL",
    ),
    _rule(
        "stripe-key",
        "stripe",
        r"\b((?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247})\b",
        1,
        ["_live_", "_test_"],
        "Stripe API key",
    ),
    _rule(
        "google-api-key",
        "google",
        r"\b(AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])",
        1,
        ["AIza"],
        "Google API key",
    ),
    _rule(
        "jwt",
        "jwt",
        r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        1,
        ["eyJ"],
        "JSON Web Token",
    ),
    _rule(
        "openai-key",
        "api-key",
        r"\b(sk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,200})(?![A-Za-z0-9_-])",
        1,
        ["sk-"],
        "OpenAI/Anthropic-style API key",
    ),
    _rule(
        "package-registry-token",
        "api-key",
        r"\b(npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,})",
        1,
        ["npm_", "pypi-"],
        "npm or PyPI token",
    ),
    _rule(
        "authorization-header",
        "auth-header",
        r"(?i)\b(?:authorization|proxy-authorization)['\"]?\s*[:=]\s*['\"]?"
        r"(?:bearer|basic|token|digest|apikey)?\s*([A-Za-z0-9._~+/=:-]{8,})",
        1,
        ["authorization"],
        "Authorization header value",
    ),
    _rule(
        "bearer-token",
        "auth-header",
        r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{12,}=*)",
        1,
        ["bearer"],
        "Bearer token",
    ),
    _rule(
        "url-credentials",
        "connection-string",
        r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@'\"]{1,100}:([^\s@/'\"]{1,200})@[^\s/'\"]",
        1,
        ["://"],
        "Credentials in a URL or connection string",
    ),
    _rule(
        "connection-string-password",
        "connection-string",
        r"(?im)(?:;|^)\s*(?:password|pwd)\s*=\s*([^;'\"\s$<{%][^;'\"\s]{0,199})\s*(?:;|$)",
        1,
        ["password", "pwd"],
        "Password in a key=value connection string",
    ),
    _rule(
        "password-assignment",
        "password",
        r"(?i)\b"
        + _KEYWORDS
        + r"['\"]?\s*(?::=|=>|[:=])\s*(['\"]?)((?!%\()[^\s'\",;$<{(][^\s'\",;]{5,199})\1",
        2,
        ["pass", "pwd", "secret", "key", "token", "credential"],
        "Password, secret, token or API key assigned to a named field",
    ),
)


# Texts this long are masked segment by segment around each rule's triggers
# (maestro_ci/jobs/masking.py); shorter ones rule by rule over the whole text.
LARGE_TEXT = 16 * 1024
# Rules whose matches may span many lines run over the whole text.
SPANS_LINES = frozenset({"private-key"})
# Sharper needles where a trigger is a common word ("pass" is in every "PASSED" test line):
# every match of the rule still contains one of them.
NEEDLES: dict[str, tuple[str, ...]] = {
    "password-assignment": ("passw", "pwd", "secret", "key", "token", "credential"),
}


@dataclass(frozen=True)
class Finding:
    """A secret found in a text: where, which rule, and a masked preview."""

    rule: str
    family: str
    file: str
    line: int
    column: int
    preview: str


@dataclass
class Masker:
    """Replaces secrets with a fixed replacement string."""

    rules: tuple[Rule, ...] = DEFAULT_RULES
    replacement: str = DEFAULT_REPLACEMENT
    literals: tuple[str, ...] = field(default_factory=tuple)
    _windowed: list[Group | WindowRule] | None = field(default=None, init=False, repr=False, compare=False)

    def _active(self, text: str) -> Iterator[Rule]:
        lowered = text.lower()
        for rule in self.rules:
            if not rule.triggers or any(t in lowered for t in rule.triggers):
                yield rule

    def mask(self, text: str) -> str:
        """Mask every secret in ``text``; idempotent."""
        if not text:
            return text
        for literal in self.literals:
            if literal and literal in text:
                text = text.replace(literal, self.replacement)
        if len(text) >= LARGE_TEXT:
            return mask_large(text, self._plan())
        for rule in self._active(text):
            text = rule.regex.sub(self._replacer(rule), text)
        return text

    def _plan(self) -> list[Group | WindowRule]:
        if self._windowed is None:
            self._windowed = plan(
                [
                    WindowRule(
                        rule.regex,
                        self._replacer(rule),
                        () if rule.id in SPANS_LINES else NEEDLES.get(rule.id, rule.triggers),
                    )
                    for rule in self.rules
                ]
            )
        return self._windowed

    def _replacer(self, rule: Rule) -> Callable[[re.Match[str]], str]:
        replacement = self.replacement

        def replace(match: re.Match[str]) -> str:
            whole = match.group(0)
            secret = match.group(rule.group)
            if not secret or secret == replacement or replacement in secret:
                return whole
            start = match.start(rule.group) - match.start(0)
            return whole[:start] + replacement + whole[start + len(secret) :]

        return replace

    def findings(self, text: str, file: str = "<text>") -> list[Finding]:
        """Every secret in ``text`` with its line and column; values are never kept."""
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        seen: set[tuple[int, int]] = set()
        found: list[Finding] = []
        for rule in self._active(text):
            for match in rule.regex.finditer(text):
                secret = match.group(rule.group)
                if not secret or secret == self.replacement:
                    continue
                pos = match.start(rule.group)
                span = (pos, match.end(rule.group))
                if any(s[0] <= span[0] < s[1] or span[0] <= s[0] < span[1] for s in seen):
                    continue
                seen.add(span)
                line = bisect.bisect_right(starts, pos)
                found.append(
                    Finding(
                        rule.id,
                        rule.family,
                        file,
                        line,
                        pos - starts[line - 1] + 1,
                        preview(secret),
                    )
                )
        return sorted(found, key=lambda f: (f.file, f.line, f.column, f.rule))


def preview(secret: str) -> str:
    """A masked preview that never reveals the value: its first two characters and length."""
    head = secret[:2] if len(secret) >= 12 else ""
    return f"{head}…({len(secret)} chars)"


def compile_extra(patterns: Iterable[str], origin: str) -> tuple[Rule, ...]:
    """Compile user patterns (from ``MAESTRO_MASK_REGEXES`` or config); a bad one is named."""
    rules: list[Rule] = []
    for index, pattern in enumerate(p for p in patterns if p.strip()):
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise InputError(
                f"invalid mask pattern {pattern!r}: {exc}",
                file=origin,
                place=f"pattern {index + 1}",
                fix="write a Python regular expression, e.g. 'mytoken-[0-9a-f]{32}'",
            ) from exc
        rules.append(Rule(f"custom-{index + 1}", "custom", regex, 0, (), f"custom pattern {pattern}"))
    return tuple(rules)


def build_masker(
    extra_patterns: Iterable[str] = (),
    replacement: str = DEFAULT_REPLACEMENT,
    literals: Iterable[str] = (),
    origin: str = "MAESTRO_MASK_REGEXES",
) -> Masker:
    extra = compile_extra(extra_patterns, origin)
    return Masker(DEFAULT_RULES + extra, replacement or DEFAULT_REPLACEMENT, tuple(literals))
