"""Rules compiled once: ids, modes, reasons and fixes resolved; globs and regexes built.

Globs use ``pathspec`` (gitignore semantics). For speed, each rule's patterns
are indexed by their literal first folder (``infra/**`` → ``infra``), so a path
is only tried against the rules that can match it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import InputError
from maestro_ci.jobs.policy_model import Mode, PolicyRules, licence_matcher

if TYPE_CHECKING:
    import pathspec

LineOf = Callable[[tuple[str | int, ...]], int | None]

DEFAULT_TEXT: dict[str, tuple[str, str]] = {
    "deny": ("this path is protected", "ask the owners of these files, or revert the change"),
    "owners": ("code ownership policy", "ask the code owners for a review, or add a CODEOWNERS entry"),
    "deps-deny": ("this licence or package is not allowed", "replace the dependency with an allowed one"),
    "deps-allow": ("only listed licences are allowed", "replace the dependency with an allowed one"),
    "deps-unknown": (
        "the package's licence could not be determined",
        "check the licence by hand and add it to deps.allow, or override with a justification",
    ),
    "deps-pinned": ("unpinned requirements make builds irreproducible", "pin it: 'name==version'"),
    "budget": ("automated agents must stay within the model budget per change", "reduce model usage"),
    "content": ("this text is not allowed here", "remove it before merging"),
    "secrets": (
        "credentials must never be committed",
        "remove it and rotate the credential; mark a false positive with '# maestro: allow-secret'",
    ),
    "size": ("large changes are hard to review", "split the change, or keep large files out of git"),
}
_GLOB_CHARS = set("*?[\\!")


@dataclass
class Compiled:
    """One rule ready to run."""

    id: str
    kind: str
    mode: Mode
    reason: str
    fix: str
    rule: Any
    line: int | None = None
    spec: pathspec.PathSpec[Any] | None = None
    regex: re.Pattern[str] | None = None
    actions: frozenset[str] = frozenset()
    fast: re.Pattern[str] | None = None  # all include patterns in one regex (no negation)

    def matches(self, path: str) -> bool:
        if self.fast is not None:
            return self.fast.match(path) is not None
        return self.spec is None or bool(self.spec.match_file(path))


@dataclass(frozen=True)
class Finding:
    """What one rule found: the message, and where when there is a place."""

    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class CompiledPolicy:
    rules: list[Compiled]
    by_id: dict[str, Compiled] = field(default_factory=dict)
    source: PolicyRules | None = None

    def of_kind(self, *kinds: str) -> list[Compiled]:
        return [r for r in self.rules if r.kind in kinds]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "rule"


def compile_globs(
    patterns: Sequence[str], rule_id: str, file: str, line: int | None
) -> pathspec.PathSpec[Any]:
    import pathspec

    for pattern in patterns:
        problem = ""
        if not pattern.strip() or pattern.lstrip().startswith("#"):
            problem = "is empty or a comment"
        else:
            try:
                spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            except Exception as exc:
                problem = f"is not a valid glob ({exc})"
            else:
                if not spec.patterns or any(p.regex is None for p in spec.patterns):
                    problem = "is not a valid glob"
        if problem:
            raise InputError(
                f"rule '{rule_id}': path '{pattern}' {problem}",
                file=file,
                place=f"line {line}" if line else None,
                fix="write a gitignore-style glob such as 'infra/**' or '*.tf'",
            )
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def compile_regex(pattern: str, rule_id: str, file: str, line: int | None, what: str) -> re.Pattern[str]:
    try:
        return licence_matcher(pattern) if what == "licence pattern" else re.compile(pattern, re.MULTILINE)
    except (re.error, ValueError) as exc:
        raise InputError(
            f"rule '{rule_id}': invalid {what} '{pattern}': {exc}",
            file=file,
            place=f"line {line}" if line else None,
            fix="write a Python regular expression; escape special characters such as '(' with '\\'",
        ) from exc


_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def fast_regex(spec: pathspec.PathSpec[Any]) -> re.Pattern[str] | None:
    """One regex for a spec of include-only patterns (pathspec's own regexes, joined)."""
    parts = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is not True or regex is None:
            return None
        parts.append("(?:" + _NAMED_GROUP.sub("(?:", regex.pattern) + ")")
    return re.compile("|".join(parts)) if parts else None


def first_folder(pattern: str) -> str | None:
    """The literal first folder a pattern is anchored to, or None when it can match anywhere."""
    body = pattern[1:] if pattern.startswith("/") else pattern
    if "/" not in body.rstrip("/") or pattern.startswith("!"):
        return None
    head = body.split("/", 1)[0]
    return None if (not head or _GLOB_CHARS & set(head)) else head


def compile_rules(rules: PolicyRules, file: str, line_of: LineOf) -> CompiledPolicy:
    """Resolve and compile every rule; raise :class:`InputError` naming the rule on any problem."""
    out: list[Compiled] = []
    default_mode = rules.defaults.mode

    def add(kind: str, rule: Any, auto_id: str, where: tuple[str | int, ...], text_key: str) -> Compiled:
        reason, fix = DEFAULT_TEXT[text_key]
        given = getattr(rule, "id", None)
        item = Compiled(
            id=given or auto_id,
            kind=kind,
            mode=getattr(rule, "mode", None) or default_mode,
            reason=getattr(rule, "reason", None) or reason,
            fix=getattr(rule, "fix", None) or fix,
            rule=rule,
            line=line_of(where),
        )
        if given is None:
            n = 2
            while any(o.id == item.id for o in out):
                item.id = f"{auto_id}-{n}"
                n += 1
        elif any(o.id == given for o in out):
            raise InputError(
                f"rule id '{given}' is used twice",
                file=file,
                place=f"line {item.line}" if item.line else None,
                fix="give every rule its own id",
            )
        out.append(item)
        return item

    for verb in ("allow", "deny"):
        for i, rule in enumerate(getattr(rules, verb)):
            item = add(verb, rule, f"{verb}-{slug(rule.patterns[0])}", (verb, i), "deny")
            item.spec = compile_globs(rule.patterns, item.id, file, item.line)
            item.fast = fast_regex(item.spec)
            item.actions = frozenset(rule.actions)
    for i, rule in enumerate(rules.owners):
        item = add("owners", rule, f"owners-{i + 1}", ("owners", i), "owners")
        paths = [rule.path] if isinstance(rule.path, str) else rule.path
        item.spec = compile_globs(paths, item.id, file, item.line)
        item.fast = fast_regex(item.spec)
    for verb in ("deny", "allow"):
        for i, dep in enumerate(getattr(rules.deps, verb)):
            where = ("deps", verb, i)
            if (dep.pattern is None) == (dep.package is None) or (verb == "allow" and dep.package):
                raise InputError(
                    f"deps.{verb}[{i}] needs exactly one of 'pattern' or 'package'"
                    + (" (allow takes licence patterns only)" if verb == "allow" else ""),
                    file=file,
                    place=f"line {line_of(where)}" if line_of(where) else None,
                    fix="write e.g. pattern: 'GPL-*' or package: 'left-pad'",
                )
            name = dep.pattern or f"package-{dep.package}"
            if name.startswith("/") and name.rfind("/") > 0:
                name = name[1 : name.rfind("/")]  # '/.*GPL.*/i' is named 'gpl'
            name = name.replace(".*", " ")
            item = add(f"deps-{verb}", dep, f"deps-{verb}-{slug(name)}", where, f"deps-{verb}")
            if dep.pattern:
                item.regex = compile_regex(dep.pattern, item.id, file, item.line, "licence pattern")
    if rules.deps.deny or rules.deps.allow:
        item = add("deps-unknown", None, "deps-unknown-licence", ("deps",), "deps-unknown")
        item.mode = rules.deps.unknown or Mode.WARN
    if rules.deps.pinned is not None:
        item = add("deps-pinned", rules.deps.pinned, "deps-pinned", ("deps", "pinned"), "deps-pinned")
        item.spec = compile_globs(rules.deps.pinned.files, item.id, file, item.line)
        item.fast = fast_regex(item.spec)
    if rules.models is not None:
        add("budget", rules.models, "budget", ("models",), "budget")
    for i, content in enumerate(rules.content):
        item = add("content", content, f"content-{i + 1}", ("content", i), "content")
        paths = [content.path] if isinstance(content.path, str) else content.path
        item.spec = compile_globs(paths, item.id, file, item.line)
        item.fast = fast_regex(item.spec)
        item.regex = compile_regex(content.regex, item.id, file, item.line, "regex")
    if rules.secrets is not None:
        add("secrets", rules.secrets, "secrets", ("secrets",), "secrets")
    if rules.size is not None:
        add("size", rules.size, "size", ("size",), "size")
    return CompiledPolicy(out, {r.id: r for r in out}, rules)
