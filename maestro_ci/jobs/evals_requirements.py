"""Built-in predicates of ``structured_requirements``; each says what it found."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from maestro_ci.jobs.evals_api import ApiParseError, compare, public_api
from maestro_ci.models import ChangeKind

if TYPE_CHECKING:
    from maestro_ci.jobs.evals_context import RunContext

TEST_FILE = re.compile(r"(^|/)(test_[^/]*\.py|[^/]*_test\.py|tests?/.*\.py|conftest\.py)$")
CHANGELOG = re.compile(
    r"(^|/)((changelog|changes|history|news)(\.[a-z]+)?|(changelog\.d|newsfragments|changes)/.+)$", re.I
)
DOCS = re.compile(r"(^|/)(docs?/.+|[^/]+\.(md|rst|adoc|txt))$", re.I)
Outcome = tuple[bool, str]


def _spec(globs: list[str]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(globs)


def is_test_file(path: str) -> bool:
    return bool(TEST_FILE.search(path))


def base_outcome(node: str, base: dict[str, str]) -> str | None:
    """A test's base outcome; a collection error of its file (pytest names it by module) counts."""
    if node in base:
        return base[node]
    module = node.split("::", maxsplit=1)[0].removesuffix(".py").replace("/", ".")
    return base.get(module)


def adds_regression_test(_: Any, ctx: RunContext) -> Outcome:
    change = ctx.change()
    tests = sorted(f.path for f in change.files if f.kind is not ChangeKind.DELETED and is_test_file(f.path))
    if not tests:
        return False, "no test file was added or changed"
    head = ctx.head_outcomes()
    if head is None:
        return False, "no JUnit results of the head to see the new tests pass: pass --junit"
    ran = {node: out for node, out in head.items() if node.split("::")[0] in tests}
    if not ran:
        return False, f"the changed test files ({', '.join(tests)}) have no results in the JUnit files"
    base = ctx.base_outcomes()
    if base is None:
        return False, (
            "no JUnit results of the new tests run against the base: pass the fixture `base_junit` "
            "(or --base-junit) to show they reproduce the failure"
        )
    proven = sorted(
        n for n, out in ran.items() if out == "passed" and base_outcome(n, base) in ("failed", "error")
    )
    if proven:
        return True, f"{len(proven)} test(s) fail on the base and pass on the head: {', '.join(proven[:5])}"
    return False, (
        f"none of the {len(ran)} changed test(s) fails on the base and passes on the head "
        f"({', '.join(sorted(ran)[:5])})"
    )


def no_public_api_change(_: Any, ctx: RunContext) -> Outcome:
    change = ctx.change()
    removed: list[str] = []
    changed: list[str] = []
    added: list[str] = []
    looked = 0
    for f in change.files:
        if not f.path.endswith(".py") or is_test_file(f.path):
            continue
        old_path = f.old_path or f.path
        before_src = None if f.kind is ChangeKind.ADDED else ctx.show(ctx.base, old_path)
        after_src = None if f.kind is ChangeKind.DELETED else ctx.show(ctx.head, f.path)
        looked += 1
        try:
            before = public_api(before_src, old_path) if before_src is not None else {}
            after = public_api(after_src, f.path) if after_src is not None else {}
        except ApiParseError as exc:
            return False, str(exc)
        r, c, a = compare(before, after)
        removed += [f"{old_path}:{n}" for n in r]
        changed += [f"{f.path}:{n}" for n in c]
        added += [f"{f.path}:{n}" for n in a]
    extra = f"; added {', '.join(added[:5])}" if added else ""
    if removed or changed:
        parts = []
        if removed:
            parts.append(f"removed {', '.join(removed[:5])}")
        if changed:
            parts.append(f"changed signature of {', '.join(changed[:5])}")
        return False, "public API changed: " + "; ".join(parts) + extra
    return True, f"public API of {looked} changed module(s) kept{extra}"


def touches_only(globs: list[str], ctx: RunContext) -> Outcome:
    spec = _spec(globs)
    outside = sorted(
        {p for f in ctx.change().files for p in (f.path, f.old_path) if p and not spec.match_file(p)}
    )
    if outside:
        return False, f"changes files outside {', '.join(globs)}: {', '.join(outside[:10])}"
    return True, f"all {len(ctx.change().files)} changed file(s) match {', '.join(globs)}"


def changelog_updated(_: Any, ctx: RunContext) -> Outcome:
    hits = [f.path for f in ctx.change().files if CHANGELOG.search(f.path)]
    if hits:
        return True, f"changelog updated: {', '.join(hits)}"
    return False, "no changelog file (CHANGELOG*, CHANGES*, HISTORY*, NEWS*, changelog.d/) was changed"


def docs_updated_for(globs: list[str], ctx: RunContext) -> Outcome:
    spec = _spec(globs)
    paths = [f.path for f in ctx.change().files]
    touched = [p for p in paths if spec.match_file(p)]
    if not touched:
        return True, f"nothing under {', '.join(globs)} changed: no docs needed"
    docs = [p for p in paths if DOCS.search(p) and not CHANGELOG.search(p)]
    if docs:
        return True, f"{', '.join(touched[:3])} changed and docs were updated ({', '.join(docs[:3])})"
    return False, f"{', '.join(touched[:3])} changed but no documentation file did"


PREDICATE_FUNCS: dict[str, Callable[[Any, RunContext], Outcome]] = {
    "adds_regression_test": adds_regression_test,
    "no_public_api_change": no_public_api_change,
    "touches_only": touches_only,
    "changelog_updated": changelog_updated,
    "docs_updated_for": docs_updated_for,
}
