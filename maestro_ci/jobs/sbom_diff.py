"""SBOM drift: components added, removed, changed, and licence changes between two SBOMs.

The result is a ``GateResult`` (gate ``sbom-diff``) a policy can read: ``pass``
when nothing changed, ``warn`` with one reason per change otherwise; every
change is listed in ``details``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maestro_ci.models import GateResult, InputFile, Reason, Status

GATE = "sbom-diff"
MAX_REASONS = 100


@dataclass(frozen=True)
class Component:
    key: str
    name: str
    version: str
    licenses: tuple[str, ...]


def _licenses(item: dict[str, Any]) -> tuple[str, ...]:
    out: set[str] = set()
    for entry in item.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("expression"), str):
            out.add(entry["expression"])
        lic = entry.get("license")
        if isinstance(lic, dict):
            value = lic.get("id") or lic.get("name")
            if isinstance(value, str) and value:
                out.add(value)
    return tuple(sorted(out))


def component_key(item: dict[str, Any]) -> str:
    """Identity across versions: the package URL without version and qualifiers, else group/name."""
    purl = item.get("purl")
    if isinstance(purl, str) and purl:
        base = purl.split("?", 1)[0].split("#", 1)[0]
        head, _, _version = base.rpartition("@")
        return (head if head and "/" in head else base).lower()
    group = item.get("group") or ""
    return f"{group}/{item['name']}".lower() if group else str(item["name"]).lower()


def components(sbom: dict[str, Any]) -> dict[str, Component]:
    out: dict[str, Component] = {}
    for item in sbom.get("components") or []:
        key = component_key(item)
        out[key] = Component(key, str(item["name"]), str(item.get("version") or ""), _licenses(item))
    return out


def _lic(values: tuple[str, ...]) -> str:
    return ", ".join(values) or "none"


def diff(old: dict[str, Any], new: dict[str, Any], inputs: list[InputFile]) -> GateResult:
    before, after = components(old), components(new)
    added = [after[k] for k in sorted(after.keys() - before.keys())]
    removed = [before[k] for k in sorted(before.keys() - after.keys())]
    both = sorted(before.keys() & after.keys())
    changed = [(before[k], after[k]) for k in both if before[k].version != after[k].version]
    relicensed = [(before[k], after[k]) for k in both if before[k].licenses != after[k].licenses]
    reasons: list[Reason] = []
    reasons += [
        Reason(
            code="sbom.added",
            message=f"added {c.name} {c.version}".rstrip() + f" (licence {_lic(c.licenses)})",
            severity=Status.WARN,
            fix="check that the new dependency is wanted",
        )
        for c in added
    ]
    reasons += [
        Reason(
            code="sbom.removed",
            message=f"removed {c.name} {c.version}".rstrip(),
            severity=Status.WARN,
            fix="check that nothing still needs it",
        )
        for c in removed
    ]
    reasons += [
        Reason(
            code="sbom.changed",
            message=f"{a.name} {a.version or '?'} → {b.version or '?'}",
            severity=Status.WARN,
            fix="read the changelog of the new version",
        )
        for a, b in changed
    ]
    reasons += [
        Reason(
            code="sbom.licence-changed",
            message=f"{a.name}: licence {_lic(a.licenses)} → {_lic(b.licenses)}",
            severity=Status.WARN,
            fix="check that the new licence is allowed by your policy",
        )
        for a, b in relicensed
    ]
    if len(reasons) > MAX_REASONS:
        rest = len(reasons) - MAX_REASONS + 1
        reasons = [
            *reasons[: MAX_REASONS - 1],
            Reason(
                code="sbom.more", message=f"and {rest} more changes", severity=Status.WARN, fix="see details"
            ),
        ]
    total = len(added) + len(removed) + len(changed) + len(relicensed)
    summary = (
        f"{len(added)} added, {len(removed)} removed, {len(changed)} changed, "
        f"{len(relicensed)} licence changes ({len(before)} → {len(after)} components)"
    )
    return GateResult(
        gate=GATE,
        status=Status.WARN if total else Status.PASS,
        summary=summary if total else f"no drift ({len(after)} components)",
        reasons=reasons,
        metrics={
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "licence_changes": len(relicensed),
            "components_before": len(before),
            "components_after": len(after),
        },
        inputs=inputs,
        details={
            "added": [_row(c) for c in added],
            "removed": [_row(c) for c in removed],
            "changed": [{"name": a.name, "old": a.version, "new": b.version} for a, b in changed],
            "licence_changes": [
                {"name": a.name, "old": list(a.licenses), "new": list(b.licenses)} for a, b in relicensed
            ],
        },
    )


def _row(c: Component) -> dict[str, Any]:
    return {"name": c.name, "version": c.version, "licenses": list(c.licenses)}
