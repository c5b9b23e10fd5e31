"""Overrides: lift a named rule for one change, with a justification on record.

Two ways to ask: ``MAESTRO_OVERRIDE='rule-id: why'`` (several separated by
``;`` or new lines), or a pull-request label ``<prefix><rule-id>`` whose
justification is a line ``maestro-override: rule-id: why`` in the pull
request's description. A request without a justification is refused, and the
refusal is itself a reason in the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from maestro_ci.errors import InputError, did_you_mean

_BODY_LINE = re.compile(
    r"^\s*maestro-override:\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:?\s*(.*?)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class OverrideRequest:
    rule: str
    justification: str
    source: str  # env | label
    granted_by: str


def from_env(text: str, granted_by: str, known: Iterable[str]) -> list[OverrideRequest]:
    """Parse ``MAESTRO_OVERRIDE``; an unknown rule id is an input error (with a did-you-mean)."""
    known = list(known)
    out: list[OverrideRequest] = []
    for number, part in enumerate(re.split(r"[;\n]", text), start=1):
        if not part.strip():
            continue
        rule, _, why = part.partition(":")
        rule = rule.strip()
        if rule not in known:
            hint = did_you_mean(rule, known)
            raise InputError(
                f"MAESTRO_OVERRIDE names rule '{rule}', which the rules file does not have"
                + (f"; {hint}" if hint else ""),
                place=f"entry {number}",
                fix="write 'rule-id: justification' with a rule id from the policy result"
                + (f" (known: {', '.join(sorted(known)[:8])})" if known else ""),
            )
        out.append(OverrideRequest(rule, why.strip(), "env", granted_by))
    return out


def from_labels(labels: Sequence[str], prefix: str, body: str, known: Iterable[str]) -> list[OverrideRequest]:
    """Labels ``<prefix><rule-id>``; the justification comes from the pull request's description."""
    reasons = {}
    for line in (body or "").splitlines():
        match = _BODY_LINE.match(line)
        if match:
            reasons[match.group(1)] = match.group(2)
    known_ids = set(known)
    out: list[OverrideRequest] = []
    for label in labels:
        if not label.startswith(prefix):
            continue
        rule = label[len(prefix) :].strip()
        if rule in known_ids:
            out.append(OverrideRequest(rule, reasons.get(rule, ""), "label", f"pull-request label '{label}'"))
    return out
