"""Dependency rules: licences (real SPDX expressions), denied packages, pinned requirements.

An expression passes when one way of reading it is acceptable: ``A OR B``
needs one acceptable branch, ``A AND B`` needs both. A licence is acceptable
when no deny pattern matches it and, if ``deps.allow`` is set, an allow
pattern does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maestro_ci.jobs.policy_compile import Compiled, Finding
from maestro_ci.sources.licences import PackageLicence, canonical

DEPENDENCY_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
)


def is_dependency_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in DEPENDENCY_FILES or (name.startswith("requirements") and name.endswith((".txt", ".in")))


def _key(symbol: Any) -> str:
    inner = getattr(symbol, "license_symbol", symbol)  # `X WITH exception` is judged by X
    return str(getattr(inner, "key", inner))


class LicenceJudge:
    def __init__(self, denies: Sequence[Compiled], allows: Sequence[Compiled]) -> None:
        self.denies = [r for r in denies if r.regex is not None]
        self.allows = [r for r in allows if r.regex is not None]

    def denied_by(self, key: str) -> Compiled | None:
        for rule in self.denies:
            assert rule.regex is not None
            if rule.regex.search(key):
                return rule
        if self.allows and not any(r.regex.search(key) for r in self.allows if r.regex is not None):
            return self.allows[0]
        return None

    def blockers(self, node: Any) -> list[tuple[str, Compiled]]:
        """The (licence, rule) pairs that make ``node`` unacceptable; empty when it is fine."""
        from license_expression import AND, OR

        if isinstance(node, OR):
            found: list[tuple[str, Compiled]] = []
            for arg in node.args:
                sub = self.blockers(arg)
                if not sub:
                    return []
                found += sub
            return found
        if isinstance(node, AND):
            return [b for arg in node.args for b in self.blockers(arg)]
        key = _key(node)
        rule = self.denied_by(key)
        return [(key, rule)] if rule else []


def licence_findings(
    denies: Sequence[Compiled],
    allows: Sequence[Compiled],
    unknown: Compiled | None,
    packages: Sequence[PackageLicence],
) -> list[Finding]:
    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    judge = LicenceJudge([r for r in denies if r.regex], allows)
    banned = {canonical(r.rule.package): r for r in denies if r.rule.package}
    out: list[Finding] = []
    for pkg in packages:
        label = f"{pkg.name} {pkg.version}".strip()
        if canonical(pkg.name) in banned:
            rule = banned[canonical(pkg.name)]
            out.append(Finding(rule.id, f"package {label} is denied: {rule.reason}"))
            continue
        if pkg.expression is None:
            if unknown is not None:
                what = f"'{pkg.raw}' is not an SPDX expression" if pkg.raw else f"no licence ({pkg.origin})"
                out.append(Finding(unknown.id, f"{label}: licence unknown: {what}"))
            continue
        if not judge.denies and not judge.allows:
            continue
        node = licensing.parse(pkg.expression)
        for key, rule in {(k, r.id): (k, r) for k, r in judge.blockers(node)}.values():
            verb = "denied by" if rule.kind == "deps-deny" else "not in the allow list of"
            out.append(
                Finding(
                    rule.id,
                    f"{label}: licence {key} (from {pkg.expression!r}, {pkg.origin}) {verb} '{rule.id}': "
                    f"{rule.reason}",
                )
            )
    return out


def pinned_findings(rule: Compiled, file: str, text: str) -> list[Finding]:
    """Every requirement in a requirements file must be pinned with ``==``/``===`` (no wildcard)."""
    from packaging.requirements import InvalidRequirement, Requirement

    out: list[Finding] = []
    logical: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if not pending:
            start = number
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append((start, pending + line))
        pending = ""
    for number, line in logical:
        text_req = line.split(" --", 1)[0].split(";", 1)[0].strip() if " --" in line else line.strip()
        if not text_req or text_req.startswith(("-", "#")):
            continue
        try:
            req = Requirement(text_req if ";" not in line else line.split(" --", 1)[0].strip())
        except InvalidRequirement:
            out.append(Finding(rule.id, f"cannot read requirement '{text_req[:60]}'", file, number))
            continue
        specs = list(req.specifier)
        pinned = len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version
        if not pinned and req.url is None:
            out.append(
                Finding(
                    rule.id, f"'{req.name}' is not pinned ({req.specifier or 'any version'})", file, number
                )
            )
    return out
