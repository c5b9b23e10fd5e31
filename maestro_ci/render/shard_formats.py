"""Extra output formats of ``maestro-ci shard``: lines, pytest-args, github-matrix."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

from maestro_ci.models import GateResult

# What an empty shard passes to pytest: collect only, run nothing, exit 0.
EMPTY_SHARD_ARGS = "--collect-only -q"


def _plan(result: GateResult) -> dict[str, object]:
    plan = result.details["plan"]
    assert isinstance(plan, dict)
    return plan


def _shards(result: GateResult) -> list[dict[str, object]]:
    shards = _plan(result)["shards"]
    assert isinstance(shards, list)
    return shards


def lines(index: int | None) -> Callable[[GateResult], str]:
    def render(result: GateResult) -> str:
        rows: list[str] = []
        for shard in _shards(result):
            tests = shard["tests"]
            assert isinstance(tests, list)
            if index is None:
                rows += [f"{shard['index']}\t{t}" for t in tests]
            elif shard["index"] == index:
                rows += [str(t) for t in tests]
        return "".join(f"{row}\n" for row in rows)

    return render


def pytest_args(index: int | None) -> Callable[[GateResult], str]:
    def render(result: GateResult) -> str:
        from maestro_ci.errors import UsageError

        if index is None:
            raise UsageError("--format pytest-args prints one shard", fix="pass --index K")
        tests = _shards(result)[index - 1]["tests"]
        assert isinstance(tests, list)
        if not tests:
            return EMPTY_SHARD_ARGS + "\n"
        return " ".join(shlex.quote(str(t)) for t in tests) + "\n"

    return render


def github_matrix(result: GateResult) -> str:
    used = [s["index"] for s in _shards(result) if s["tests"]]
    return json.dumps({"shard": used, "total": [_plan(result)["total"]]}, separators=(",", ":")) + "\n"


def text(result: GateResult) -> str:
    plan = _plan(result)
    out = [f"shard: {result.status} — {result.summary}", f"digest {plan['digest']}"]
    for shard in _shards(result):
        tests = shard["tests"]
        assert isinstance(tests, list)
        line = (
            f"  shard {shard['index']}: {float(str(shard['predicted'])):8.2f}s predicted, {len(tests)} tests"
        )
        if shard.get("realised") is not None:
            line += f", {float(str(shard['realised'])):.2f}s realised"
        out.append(line)
    out += [f"  {r.severity}: {r.message}" for r in result.reasons]
    return "\n".join(out) + "\n"


def renderers(index: int | None) -> dict[str, Callable[[GateResult], str]]:
    return {
        "text": text,
        "lines": lines(index),
        "pytest-args": pytest_args(index),
        "github-matrix": github_matrix,
    }
