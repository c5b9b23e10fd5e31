"""The decisions predicate: maestro-ci's own in-toto predicate type.

The SLSA provenance predicate says how the artifact was built; this one says
what maestro-ci decided about the change: each gate's verdict, score and
threshold, its reasons, the overrides with their justification, and the
digests of the rules it applied. Its JSON Schema is generated into
``schemas/maestro-decisions.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from maestro_ci.models import SCHEMA_VERSION, GateResult, InputFile, Model, Override, Reason, Status

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
DECISIONS_PREDICATE_TYPE = "https://maestro-ci.dev/decisions/v1"
GITHUB_BUILD_TYPE = "https://actions.github.io/buildtypes/workflow/v1"
LOCAL_BUILD_TYPE = "https://maestro-ci.dev/buildtypes/local/v1"
LOCAL_BUILDER_ID = "https://maestro-ci.dev/builders/local"
JSON_MEDIA = "application/json"
CYCLONEDX_MEDIA = "application/vnd.cyclonedx+json"


@dataclass(frozen=True)
class Artifact:
    """A file by name and SHA-256 (a subject, a lock file, an SBOM)."""

    name: str
    sha256: str
    media_type: str = ""


@dataclass(frozen=True)
class RecordedResult:
    """A gate result file of the run, with the digest of its bytes."""

    file: str
    sha256: str
    result: GateResult


class GateDecision(Model):
    """One gate's verdict, as recorded in the decisions predicate."""

    gate: str
    result_file: str = Field(description="The result file in the run folder this decision comes from.")
    result_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    status: Status
    summary: str = ""
    score: float | None = None
    threshold: float | None = None
    reasons: list[Reason] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    inputs: list[InputFile] = Field(default_factory=list)


class DecisionsPredicate(Model):
    """``predicate`` of a statement with predicateType ``https://maestro-ci.dev/decisions/v1``."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    verdict: Status = Field(description="The worst status over every gate.")
    commit: str = Field(default="", description="The source commit the gates decided on.")
    invocation_id: str = ""
    decisions: list[GateDecision] = Field(default_factory=list)
    policy_rules: list[InputFile] = Field(
        default_factory=list, description="Digests of the policy rules files the policy gates applied."
    )
    broken: dict[str, str] = Field(
        default_factory=dict, description="Result files that could not be read, with the problem."
    )


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"maestro-decisions": DecisionsPredicate}
