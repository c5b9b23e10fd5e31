"""Rules over file contents and sizes: forbidden regexes, secrets, budgets, change size.

Content and secret rules look at the lines the change adds (so an old line
does not block a new change); size rules look at the new file sizes and the
total lines changed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from maestro_ci.jobs.policy_compile import Compiled, Finding
from maestro_ci.models import ChangeKind, ChangeSet

if TYPE_CHECKING:
    from maestro_ci.jobs.secrets import Masker
    from maestro_ci.sources.secret_baseline import SecretsBaseline
    from maestro_ci.sources.usage import UsageRecord

Reader = Callable[[str], bytes | None]


def _text(data: bytes | None) -> str | None:
    if data is None or b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def content_findings(
    rules: Sequence[Compiled], changes: ChangeSet, read: Reader, added: Mapping[str, set[int]]
) -> list[Finding]:
    out: list[Finding] = []
    for change in changes.files:
        if change.kind is ChangeKind.DELETED or change.binary:
            continue
        wanted = [r for r in rules if r.matches(change.path)]
        lines = added.get(change.path)
        if not wanted or not lines:
            continue
        text = _text(read(change.path))
        if text is None:
            continue
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        for rule in wanted:
            assert rule.regex is not None
            for match in rule.regex.finditer(text):
                line = bisect.bisect_right(starts, match.start())
                if line in lines:
                    out.append(
                        Finding(
                            rule.id,
                            f"forbidden text /{rule.regex.pattern}/: {rule.reason}",
                            change.path,
                            line,
                            match.start() - starts[line - 1] + 1,
                        )
                    )
    return out


def secret_findings(
    rule: Compiled,
    changes: ChangeSet,
    read: Reader,
    added: Mapping[str, set[int]],
    masker: Masker,
    baseline: SecretsBaseline | None,
) -> list[Finding]:
    from maestro_ci.jobs.secret_scan import scan_text

    out: list[Finding] = []
    for change in changes.files:
        lines = added.get(change.path)
        if change.kind is ChangeKind.DELETED or change.binary or not lines:
            continue
        text = _text(read(change.path))
        if text is None:
            continue
        for found in scan_text(text, change.path, masker, rule.rule.entropy, lines):
            if baseline is not None and baseline.accepts(found):
                continue
            out.append(
                Finding(
                    rule.id,
                    f"possible secret ({found.rule}, {found.preview}): {rule.reason}",
                    found.file,
                    found.line,
                    found.column,
                )
            )
    return out


def size_findings(rule: Compiled, changes: ChangeSet, size_of: Callable[[str], int | None]) -> list[Finding]:
    spec = rule.rule
    out: list[Finding] = []
    if spec.max_file_bytes is not None:
        for change in changes.files:
            if change.kind is ChangeKind.DELETED:
                continue
            size = size_of(change.path)
            if size is not None and size > spec.max_file_bytes:
                kind = "binary file" if change.binary else "file"
                out.append(
                    Finding(
                        rule.id,
                        f"{kind} of {size:,} bytes (at most {spec.max_file_bytes:,}): {rule.reason}",
                        change.path,
                    )
                )
    if spec.max_lines_changed is not None and changes.lines_changed > spec.max_lines_changed:
        out.append(
            Finding(
                rule.id,
                f"{changes.lines_changed:,} lines changed (at most {spec.max_lines_changed:,}): {rule.reason}",
            )
        )
    return out


def budget_findings(
    rule: Compiled, records: Sequence[UsageRecord]
) -> tuple[list[Finding], dict[str, float | int]]:
    spec = rule.rule
    usd = round(sum(r.cost_usd for r in records), 6)
    tokens = sum(r.prompt_tokens for r in records)
    calls = sum(r.calls for r in records)
    totals: dict[str, float | int] = {"usd": usd, "prompt_tokens": tokens, "calls": calls}
    checks: list[tuple[str, float, float | None, str]] = [
        ("spend", usd, spec.max_usd_per_pr, "${:,.2f}"),
        ("prompt tokens", tokens, spec.max_prompt_tokens, "{:,}"),
        ("model calls", calls, spec.max_calls, "{:,}"),
    ]
    out = [
        Finding(
            rule.id, f"model {what} {fmt.format(value)} exceeds the cap of {fmt.format(cap)}: {rule.reason}"
        )
        for what, value, cap, fmt in checks
        if cap is not None and value > cap
    ]
    return out, totals
