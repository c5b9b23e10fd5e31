"""The one result model every gate returns, and the run record.

All models are frozen pydantic v2 models with ``extra="forbid"``; every JSON
we write carries a ``schema_version``. ``schemas/`` is generated from the
models listed in ``SCHEMA_EXPORTS`` (``scripts/gen_schemas.py``) and a test
keeps the two equal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1

MetricValue = float | int | str | bool | None


class Model(BaseModel):
    """Base for every model that crosses a process boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]

    @staticmethod
    def worst(statuses: list[Status]) -> Status:
        return max(statuses, key=lambda s: s.rank, default=Status.PASS)

    @property
    def blocks(self) -> bool:
        return self in (Status.FAIL, Status.ERROR)


_STATUS_RANK = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3}


class Location(Model):
    """A place in a file; line and column are 1-based."""

    file: str
    line: int | None = Field(default=None, ge=1)
    column: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class Reason(Model):
    """Why a gate decided as it did, and what to do about it."""

    code: str = Field(description="Stable identifier, e.g. 'policy.deny-path'.")
    message: str = Field(description="What was found, in plain words.")
    fix: str = Field(default="", description="What the user can do about it.")
    location: Location | None = None
    severity: Status = Field(
        default=Status.FAIL, description="How much this one reason weighs in the verdict."
    )


class InputFile(Model):
    """A file a gate read, with its digest, so the decision can be traced."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Override(Model):
    """A rule lifted for this change, with who granted it and why."""

    rule: str
    granted_by: str
    justification: str = Field(min_length=1)
    source: str = Field(description="'label', 'env', 'trailer' or 'config'.")


class GateResult(Model):
    """What every gate (and every selection/shard decision) returns."""

    schema_version: int = SCHEMA_VERSION
    gate: str
    status: Status
    summary: str = Field(default="", description="One line a person reads first.")
    score: float | None = None
    threshold: float | None = None
    reasons: list[Reason] = Field(default_factory=list)
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    inputs: list[InputFile] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    details: dict[str, Any] = Field(
        default_factory=dict, description="Gate-specific data behind the decision."
    )

    @model_validator(mode="after")
    def _blocks_say_why(self) -> GateResult:
        if self.status is not Status.PASS and not self.reasons:
            raise ValueError(f"gate {self.gate!r} has status {self.status} but gives no reason")
        return self

    @property
    def exit_code(self) -> int:
        if self.status is Status.ERROR:
            return 3
        return 1 if self.status is Status.FAIL else 0


class CIContext(Model):
    """Where the run happens; empty fields outside CI."""

    provider: str = "local"
    repository: str = ""
    workflow_ref: str = ""
    run_id: str = ""
    run_attempt: str = ""
    run_url: str = ""
    event_name: str = ""
    ref: str = ""
    sha: str = ""
    actor: str = ""


class RunRecord(Model):
    """``.maestro/runs/<run-id>/run.json``: the run's git state and CI context."""

    schema_version: int = SCHEMA_VERSION
    run_id: str
    tool_version: str
    started_on: str
    updated_on: str
    git: dict[str, Any] = Field(default_factory=dict)
    ci: CIContext = Field(default_factory=CIContext)
    results: list[str] = Field(
        default_factory=list, description="Gate result files in this run folder, sorted."
    )


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {
    "gate-result": GateResult,
    "run-record": RunRecord,
}


class ChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    TYPE_CHANGED = "type-changed"


class FileChange(Model):
    """One file in a change set; ``old_path`` is set for renames and copies."""

    path: str
    kind: ChangeKind
    old_path: str | None = None
    added: int = 0
    deleted: int = 0
    binary: bool = False
    similarity: int | None = None


class ChangeSet(Model):
    """The files changed between two commits (or a commit and the index/work tree)."""

    base: str
    head: str
    base_sha: str
    head_sha: str
    files: list[FileChange] = Field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def lines_changed(self) -> int:
        return sum(f.added + f.deleted for f in self.files)


class CommitInfo(Model):
    sha: str
    short: str
    subject: str
    author: str
    date: str


class GitState(Model):
    """``maestro-ci git-state``: where the work tree stands."""

    schema_version: int = SCHEMA_VERSION
    in_repository: bool
    message: str = ""
    root: str = ""
    branch: str | None = None
    commit: str | None = None
    short_commit: str | None = None
    detached: bool = False
    detached_description: str | None = None
    dirty: bool = False
    status: list[str] = Field(default_factory=list, description="git status --porcelain lines.")
    diff_stat: str = ""
    remote_url: str | None = None
    last_commits: list[CommitInfo] = Field(default_factory=list)


SCHEMA_EXPORTS["git-state"] = GitState
SCHEMA_EXPORTS["change-set"] = ChangeSet
