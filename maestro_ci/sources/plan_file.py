"""A shard plan file read without building models: what each shard of a CI run executes.

``maestro-ci shard --format json`` writes a plan once per run (the planning
job); every shard then reads it with ``pytest --shard K/N --shard-plan FILE``.
This reader uses only the standard library, so a shard pays a JSON parse, not
the config, the timing store and the planner. It checks what the shard relies
on (the shard count, each shard's node ids) and the plan's digest, which is
computed here for both the planner and the readers.

A test the plan does not name (added after planning, or a parametrize id that
differs between processes) still runs exactly once across the shards. In a file
the plan knows, it goes to the lowest-numbered shard that holds that file, so a
shard never has to collect another shard's files; in a file the plan does not
know, it goes to the shard its stable node id hashes to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from maestro_ci.errors import InputError
from maestro_ci.sources.nodeids import module_of, stabilise
from maestro_ci.sources.store import read_json, refuse_newer

PLAN_SCHEMA_VERSION = 1
FIX = "pass the output of 'maestro-ci shard --format json' (or write it again)"


def unwrap(data: Any) -> Any:
    """The plan inside a ``shard`` gate result (``details.plan``), or the document itself."""
    if isinstance(data, dict) and isinstance(data.get("details"), dict) and "plan" in data["details"]:
        return data["details"]["plan"]
    return data


def digest_of(data: dict[str, Any]) -> str:
    """sha256 of a plan's canonical JSON, without the digest itself and realised times."""
    body = {key: value for key, value in data.items() if key != "digest"}
    body["shards"] = [
        {key: value for key, value in shard.items() if key != "realised"} for shard in data["shards"]
    ]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed_shard(nodeid: str, total: int) -> int:
    """The shard (1-based) for a test the plan does not name: the same on every runner."""
    stable = stabilise(nodeid)[0]
    return int.from_bytes(hashlib.sha256(stable.encode("utf-8")).digest()[:8], "big") % total + 1


@dataclass(frozen=True)
class PlanAssignment:
    """Which shard runs each planned test, and what the plan predicted."""

    total: int
    digest: str
    predicted: tuple[float, ...]
    shard_of: dict[str, int]

    @cached_property
    def stable_shard_of(self) -> dict[str, int]:
        """Planned tests by stable node id: only built when a collected id is not in the plan."""
        stable: dict[str, int] = {}
        for nodeid, index in self.shard_of.items():
            stable.setdefault(stabilise(nodeid)[0], index)
        return stable

    @cached_property
    def first_shard_of_file(self) -> dict[str, int]:
        """Each planned file and the lowest-numbered shard that runs a test of it."""
        first: dict[str, int] = {}
        for nodeid, index in self.shard_of.items():
            path = module_of(nodeid)
            if index < first.get(path, self.total + 1):
                first[path] = index
        return first

    def files_of(self, index: int) -> frozenset[str]:
        """The files shard ``index`` runs planned tests of."""
        return frozenset(module_of(nodeid) for nodeid, k in self.shard_of.items() if k == index)

    def shard_for(self, nodeid: str) -> tuple[int, bool]:
        """The shard that runs ``nodeid`` and whether the plan named it."""
        found = self.shard_of.get(nodeid)
        if found is None:
            found = self.stable_shard_of.get(stabilise(nodeid)[0])
        if found is not None:
            return found, True
        first = self.first_shard_of_file.get(module_of(nodeid))
        if first is not None:
            return first, False
        return hashed_shard(nodeid, self.total), False


def _bad(path: Path, place: str, problem: str) -> InputError:
    return InputError(f"not a shard plan: {problem}", file=str(path), place=place, fix=FIX)


def read_assignment(path: Path) -> PlanAssignment:
    """Read and check a plan file (exit 2 with the place of the problem when it is not one)."""
    return check_plan(unwrap(read_json(path, "shard plan")), path)


def check_plan(data: Any, path: Path) -> PlanAssignment:
    """The checks every shard relies on: the shard count, each shard's node ids, the digest."""
    if not isinstance(data, dict):
        raise _bad(path, "(top)", "expected a JSON object")
    refuse_newer(data, PLAN_SCHEMA_VERSION, "shard plan", str(path), "upgrade maestro-ci, or plan again")
    total, shards = data.get("total"), data.get("shards")
    if isinstance(total, bool) or not isinstance(total, int) or total < 1:
        raise _bad(path, "total", "'total' must be a whole number of shards, at least 1")
    if not isinstance(shards, list) or len(shards) != total:
        raise _bad(path, "shards", f"'shards' must list {total} shards")
    shard_of: dict[str, int] = {}
    predicted: list[float] = []
    for position, shard in enumerate(shards, start=1):
        place = f"shards[{position - 1}]"
        if not isinstance(shard, dict) or shard.get("index") != position:
            raise _bad(path, place, f"expected shard {position} here, with 'index': {position}")
        tests, guess = shard.get("tests", []), shard.get("predicted", 0.0)
        if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
            raise _bad(path, f"{place}.tests", "'tests' must be a list of node ids")
        if isinstance(guess, bool) or not isinstance(guess, int | float):
            raise _bad(path, f"{place}.predicted", "'predicted' must be a number of seconds")
        for nodeid in tests:
            if shard_of.setdefault(nodeid, position) != position:
                raise _bad(path, f"{place}.tests", f"{nodeid!r} is planned on two shards")
        predicted.append(float(guess))
    digest = data.get("digest", "")
    if not isinstance(digest, str) or (digest and digest != digest_of(data)):
        raise InputError(
            "the shard plan does not match its digest: it was changed after planning",
            file=str(path),
            place="digest",
            fix="plan again with 'maestro-ci shard --format json' instead of editing the plan",
        )
    return PlanAssignment(total, digest, tuple(predicted), shard_of)
