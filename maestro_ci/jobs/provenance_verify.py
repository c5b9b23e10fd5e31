"""Verification of a statement: recomputed digests against the statement's subjects."""

from __future__ import annotations

from typing import Any

from maestro_ci.errors import InputError
from maestro_ci.models import GateResult, Reason, Status

GATE = "provenance-verify"


def subject_digests(doc: dict[str, Any], file: str) -> dict[str, str]:
    """Subject name -> sha256 from an already schema-checked statement."""
    out: dict[str, str] = {}
    for index, item in enumerate(doc["subject"]):
        digest = item["digest"].get("sha256")
        if digest is None:
            raise InputError(
                f"subject '{item['name']}' has no sha256 digest",
                file=file,
                place=f"$.subject[{index}]",
                fix="regenerate the statement with 'maestro-ci provenance' (it records sha256)",
            )
        out[item["name"]] = digest
    return out


def verify(expected: dict[str, str], actual: dict[str, str | None], statement_file: str) -> GateResult:
    """Compare ``actual`` (name -> recomputed sha256, None when the file is missing)."""
    reasons: list[Reason] = []
    matched = 0
    for name in sorted(actual):
        digest = actual[name]
        want = expected.get(name)
        if want is None:
            reasons.append(
                Reason(
                    code="provenance.unknown-subject",
                    message=f"subject '{name}' is not in the statement",
                    fix=f"check that {statement_file} was made for this artifact",
                )
            )
        elif digest is None:
            reasons.append(
                Reason(
                    code="provenance.missing-subject",
                    message=f"subject '{name}' is listed in the statement but not found on disk",
                    fix="run verify where the artifact is, or pass its path with --subject",
                )
            )
        elif digest != want:
            reasons.append(
                Reason(
                    code="provenance.digest-mismatch",
                    message=f"subject '{name}' does not match: sha256 {digest[:16]}… on disk, "
                    f"{want[:16]}… in the statement",
                    fix="the artifact changed after the statement was made: rebuild it or regenerate the statement",
                )
            )
        else:
            matched += 1
    status = Status.FAIL if reasons else Status.PASS
    summary = (
        f"{matched} of {len(actual)} subjects match {statement_file}"
        if reasons
        else f"all {matched} subjects match {statement_file}"
    )
    return GateResult(
        gate=GATE,
        status=status,
        summary=summary,
        reasons=reasons,
        metrics={"subjects": len(actual), "matched": matched, "mismatched": len(reasons)},
    )
