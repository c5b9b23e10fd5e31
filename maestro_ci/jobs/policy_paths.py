"""Path rules (allow/deny by glob and action) and owner rules over a change set.

A deny rule blocks the actions it lists on matching paths; an allow rule is an
exception to deny rules (``deny: infra/**`` + ``allow: infra/docs/**``). A
rename writes both its old and its new path.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from maestro_ci.jobs.policy_compile import Compiled, Finding, first_folder
from maestro_ci.models import ChangeKind, FileChange
from maestro_ci.sources.codeowners import CodeOwners

ACTION = {
    ChangeKind.ADDED: "add",
    ChangeKind.COPIED: "add",
    ChangeKind.MODIFIED: "modify",
    ChangeKind.TYPE_CHANGED: "modify",
    ChangeKind.DELETED: "delete",
    ChangeKind.RENAMED: "rename",
}


class PathIndex:
    """Rules bucketed by the literal first folder of their globs: a path meets few rules."""

    def __init__(self, rules: Iterable[Compiled]) -> None:
        self.anywhere: list[Compiled] = []
        self.buckets: dict[str, list[Compiled]] = defaultdict(list)
        for rule in rules:
            patterns = rule.rule.patterns if hasattr(rule.rule, "patterns") else []
            heads = [first_folder(p) for p in patterns]
            if not heads or any(h is None for h in heads):
                self.anywhere.append(rule)
            else:
                for head in dict.fromkeys(h for h in heads if h):
                    self.buckets[head].append(rule)

        fast = [r.fast for r in self.anywhere]
        self.prefilter: re.Pattern[str] | None = None
        if self.anywhere and all(f is not None for f in fast):
            self.prefilter = re.compile("|".join(f"(?:{f.pattern})" for f in fast if f is not None))

    def candidates(self, path: str) -> list[Compiled]:
        head = path.split("/", 1)[0]
        found = self.buckets.get(head)
        anywhere = self.anywhere
        if self.prefilter is not None and self.prefilter.match(path) is None:
            anywhere = []
        if found:
            return found + anywhere if anywhere else found
        return anywhere

    def matching(self, path: str, action: str) -> list[Compiled]:
        return [
            r
            for r in self.candidates(path)
            if (action in r.actions or "write" in r.actions) and r.matches(path)
        ]


def path_findings(
    denies: Sequence[Compiled], allows: Sequence[Compiled], files: Sequence[FileChange]
) -> list[Finding]:
    if not denies:
        return []
    deny_index, allow_index = PathIndex(denies), PathIndex(allows)
    out: list[Finding] = []
    for change in files:
        action = ACTION[change.kind]
        hits: dict[str, tuple[Compiled, str]] = {}
        for path in dict.fromkeys(p for p in (change.path, change.old_path) if p):
            if not allow_index.matching(path, action):
                for rule in deny_index.matching(path, action):
                    hits.setdefault(rule.id, (rule, path))
        for rule, path in hits.values():
            shown = f" ({change.old_path} → {change.path})" if change.old_path else ""
            out.append(
                Finding(
                    rule.id,
                    f"{action}{shown} denied by '{rule.id}': {rule.reason}",
                    file=change.path if change.kind is not ChangeKind.DELETED else path,
                )
            )
    return out


def owner_findings(
    rules: Sequence[Compiled],
    owners: CodeOwners | None,
    files: Sequence[FileChange],
    approvals: frozenset[str] | None = None,
    approvals_note: str = "",
) -> list[Finding]:
    """Unowned files, too many owner groups, changes that need a named owner's review.

    ``approvals`` are the owners (``@user``, ``@org/team``) who approved the pull request;
    a change owned by one of them needs nothing more. ``None`` means approvals could not be
    read, so every required review stays required (fail closed) and ``approvals_note`` says why.
    """
    if owners is None:
        return []
    out: list[Finding] = []
    for rule in rules:
        spec = rule.rule
        touched: dict[tuple[str, ...], list[str]] = {}
        for change in files:
            if not rule.matches(change.path):
                continue
            found = owners.owners_of(change.path)
            if spec.require_owner and not found:
                out.append(Finding(rule.id, f"no code owner: {rule.reason}", change.path))
            if found:
                touched.setdefault(found, []).append(change.path)
            wanted = [o for o in spec.review_by if o in found]
            if wanted and not (approvals is not None and approvals.intersection(wanted)):
                why = f"; {approvals_note}" if approvals is None and approvals_note else ""
                out.append(
                    Finding(
                        rule.id,
                        f"owned by {', '.join(wanted)}: their approval is required ({rule.reason}){why}",
                        change.path,
                    )
                )
        if spec.max_owners is not None and len(touched) > spec.max_owners:
            groups = "; ".join(" ".join(g) for g in sorted(touched))
            out.append(
                Finding(
                    rule.id,
                    f"the change touches {len(touched)} owner groups (at most {spec.max_owners}): {groups}",
                )
            )
    return out
