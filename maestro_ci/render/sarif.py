"""SARIF 2.1.0 from a gate result, for GitHub code scanning and other SARIF viewers.

Rules come from the result's ``details.rules`` (id, reason, fix, mode) and from
the reason codes; each reason becomes a result with its level and location.
Overridden findings carry an external suppression with the justification.
"""

from __future__ import annotations

import json
from typing import Any

from maestro_ci import __version__
from maestro_ci.models import GateResult, Reason, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.PASS: "note"}
_MODE_LEVEL = {"enforce": "error", "warn": "warning", "observe": "note"}


def _rule_id(reason: Reason, gate: str) -> str:
    return reason.code.removeprefix(f"{gate}.")


def to_sarif(result: GateResult) -> dict[str, Any]:
    described = {r["id"]: r for r in result.details.get("rules", []) if isinstance(r, dict) and "id" in r}
    ids = list(dict.fromkeys([*described, *(_rule_id(r, result.gate) for r in result.reasons)]))
    rules = []
    for rule_id in ids:
        info = described.get(rule_id, {})
        first = next((r for r in result.reasons if _rule_id(r, result.gate) == rule_id), None)
        rules.append(
            {
                "id": rule_id,
                "name": rule_id,
                "shortDescription": {"text": info.get("reason") or (first.message if first else rule_id)},
                "help": {
                    "text": info.get("fix") or (first.fix if first else "") or "see the maestro-ci docs"
                },
                "defaultConfiguration": {"level": _MODE_LEVEL.get(info.get("mode", ""), "warning")},
                "properties": {"kind": info.get("kind", result.gate)},
            }
        )
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    lifted = {o.rule: o for o in result.overrides}
    results = []
    for reason in result.reasons:
        rule_id = _rule_id(reason, result.gate)
        item: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": _LEVEL[reason.severity],
            "message": {"text": reason.message + (f" Fix: {reason.fix}" if reason.fix else "")},
        }
        if reason.location is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": reason.location.file}}
            if reason.location.line is not None:
                region: dict[str, int] = {"startLine": reason.location.line}
                if reason.location.column is not None:
                    region["startColumn"] = reason.location.column
                physical["region"] = region
            item["locations"] = [{"physicalLocation": physical}]
        if rule_id in lifted:
            item["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": lifted[rule_id].justification}
            ]
        results.append(item)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "maestro-ci",
                        "version": __version__,
                        "informationUri": "https://github.com/maestro-ci/maestro-ci",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"gate": result.gate, "status": str(result.status), "summary": result.summary},
            }
        ],
    }


def render_sarif(result: GateResult) -> str:
    return json.dumps(to_sarif(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
