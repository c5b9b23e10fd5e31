"""``.maestro.yml``: the typed model of the whole file, discovery and loading.

Each section is owned by the job it configures (``maestro_ci/sections/``).
The JSON Schema ``schemas/maestro-config.schema.json`` is generated from
:class:`MaestroConfig`; ``docs/configuration.md`` is generated from it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from maestro_ci.sections.affected import AffectedSection
from maestro_ci.sections.evals import EvalsSection
from maestro_ci.sections.health import HealthSection
from maestro_ci.sections.mask import MaskSection
from maestro_ci.sections.policy import PolicySection
from maestro_ci.sections.risk import RiskSection
from maestro_ci.sections.run import RunSection
from maestro_ci.sections.shard import ShardSection
from maestro_ci.sections.summary import SummarySection
from maestro_ci.sections.timings import TimingsSection
from maestro_ci.sources.yamlfile import Document, load_document, validate_document

CONFIG_NAMES = (".maestro.yml", ".maestro.yaml")


class MaestroConfig(BaseModel):
    """The whole ``.maestro.yml``. Every key is optional; defaults are documented."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="maestro-ci configuration", defer_build=True)

    version: int = Field(default=1, ge=1, le=1, description="Version of this file's format.")
    run: RunSection = Field(default_factory=RunSection)
    mask: MaskSection = Field(default_factory=MaskSection)
    selection: AffectedSection = Field(default_factory=AffectedSection)
    timings: TimingsSection = Field(default_factory=TimingsSection)
    shard: ShardSection = Field(default_factory=ShardSection)
    evals: EvalsSection = Field(default_factory=EvalsSection)
    risk: RiskSection = Field(default_factory=RiskSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    health: HealthSection = Field(default_factory=HealthSection)
    summary: SummarySection = Field(default_factory=SummarySection)


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"maestro-config": MaestroConfig}


def discover(start: Path, root: Path | None) -> Path | None:
    """The config file: in ``start`` or the repository root, else None."""
    for folder in dict.fromkeys(p for p in (start, root) if p is not None):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def read_config_document(path: Path) -> Document:
    doc = load_document(path, "config file")
    if doc.data is None:
        doc.data = {}
    return doc


def load_config(path: Path | None) -> MaestroConfig:
    """Load and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return MaestroConfig()
    return validate_document(read_config_document(path), MaestroConfig)
