"""Helpers for the provenance and summary tests: gate results written as a real command would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from maestro_ci.models import GateResult
from maestro_ci.runs import record_result


def record(run_dir: Path, result: dict[str, Any], name: str | None = None) -> Path:
    model = GateResult.model_validate(result)
    return record_result(run_dir, run_dir.name, model, lambda t: t, {"commit": "x"}, {}, name)


def fail_result(gate: str, n: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "gate": gate,
        "status": "fail",
        "summary": f"{n} problems",
        "score": 0.4,
        "threshold": 0.8,
        "reasons": [
            {
                "code": f"{gate}.r{i}",
                "message": f"problem {i}",
                "fix": f"fix {i}",
                "location": {"file": f"f{i}.py", "line": i + 1},
            }
            for i in range(n)
        ],
        **extra,
    }


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
