"""The secrets baseline: findings a team has reviewed and accepted (``--baseline FILE``).

Entries hold the file, the rule and a fingerprint (sha256 of the rule and the
value), never the value. A finding is accepted when an entry has the same file,
rule and fingerprint, so moving the line does not bring it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from maestro_ci.errors import InputError
from maestro_ci.sources.store import refuse_newer


class Fingerprinted(Protocol):
    """What the baseline needs of a finding (the scanner's findings have it)."""

    @property
    def file(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def line(self) -> int: ...


BASELINE_VERSION = 1


class BaselineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(min_length=1)
    rule: str = Field(min_length=1)
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of rule and value.")
    line: int | None = Field(default=None, ge=1, description="Where it was when accepted (informational).")


class SecretsBaseline(BaseModel):
    """A secrets baseline file."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="maestro-ci secrets baseline")

    schema_version: int = Field(default=BASELINE_VERSION, ge=1, le=BASELINE_VERSION)
    findings: list[BaselineEntry] = Field(default_factory=list)

    def accepts(self, finding: Fingerprinted) -> bool:
        return (finding.file, finding.rule, finding.fingerprint) in self.keys

    @property
    def keys(self) -> set[tuple[str, str, str]]:
        return {(e.file, e.rule, e.fingerprint) for e in self.findings}


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"secrets-baseline": SecretsBaseline}


def parse_baseline(text: str, file: str) -> SecretsBaseline:
    from maestro_ci.sources.yamlfile import parse_yaml_text, validate_document

    if not text.strip():
        raise InputError("baseline file is empty", file=file, fix="run with --update-baseline to write one")
    doc = parse_yaml_text(text, file)
    refuse_newer(
        doc.data,
        BASELINE_VERSION,
        "baseline",
        file,
        "upgrade maestro-ci, or regenerate the baseline with --update-baseline",
    )
    return validate_document(doc, SecretsBaseline)


def load_baseline(path: Path) -> SecretsBaseline:
    from maestro_ci.sources.store import read_text

    return parse_baseline(read_text(path, "secrets baseline"), str(path))


def baseline_from(findings: Iterable[Fingerprinted]) -> SecretsBaseline:
    entries = {
        (f.file, f.rule, f.fingerprint): BaselineEntry(
            file=f.file, rule=f.rule, fingerprint=f.fingerprint, line=f.line
        )
        for f in findings
    }
    return SecretsBaseline(findings=[entries[k] for k in sorted(entries)])


def save_baseline(path: Path, baseline: SecretsBaseline) -> None:
    from maestro_ci.sources.store import atomic_write_text, dump_json

    atomic_write_text(path, dump_json(baseline.model_dump(mode="json")))
