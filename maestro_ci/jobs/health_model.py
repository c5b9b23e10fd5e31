"""The health gate file (``gate.yml``): metrics, their sources, conditions and the analysis loop.

``load_gate(path)`` reads and fully validates a gate file (schema, durations,
conditions, source types), raising :class:`InputError` with the file, line and fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from maestro_ci.errors import InputError, did_you_mean
from maestro_ci.jobs.durations import DURATION_SCHEMA, Duration
from maestro_ci.jobs.health_expr import ConditionError, parse_condition

OptDuration = Annotated[Duration | None, WithJsonSchema(DURATION_SCHEMA)]
OptCount = Annotated[int | None, WithJsonSchema({"type": "integer", "minimum": 1})]
OptLimit = Annotated[int | None, WithJsonSchema({"type": "integer", "minimum": 0})]
Outcome = Literal["pass", "inconclusive", "fail"]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
SOURCE_TYPES = ("prometheus", "http_json", "file", "command")


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Remote(Strict):
    """What HTTP sources share: where, credentials (named by environment variable), timeout."""

    url: str | None = Field(default=None, description="Base URL (or give url_env).")
    url_env: EnvName | None = Field(default=None, description="Environment variable holding the URL.")
    headers_env: dict[str, EnvName] = Field(
        default_factory=dict, description="Header name -> environment variable holding its value."
    )
    bearer_token_env: EnvName | None = Field(
        default=None, description="Environment variable holding a bearer token."
    )
    timeout: OptDuration = Field(default=None, description="Per-request timeout (config default).")

    @model_validator(mode="after")
    def _one_url(self) -> Remote:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of 'url' and 'url_env'")
        return self


class RangeSpec(Strict):
    window: Duration = Field(description="How far back the range query reaches.")
    step: Duration = Field(default=60.0, description="Resolution of the range query.")


class PrometheusSource(Remote):
    """A PromQL query: instant by default, a range query when ``range`` is set."""

    type: Literal["prometheus"]
    query: str = Field(min_length=1, description="PromQL; '{{window}}' is replaced for burn rates.")
    range: RangeSpec | None = None


class HttpJsonSource(Remote):
    """An HTTP endpoint answering JSON; ``json_path`` picks the value."""

    type: Literal["http_json"]
    method: Literal["GET", "POST"] = "GET"
    body: Any = Field(default=None, description="JSON body sent with POST.")
    json_path: str = Field(default="$", description="Where the value is: $.data.score, items[0].p95.")


class FileSource(Strict):
    """A JSON file (or a file holding one number), read at every measurement."""

    type: Literal["file"]
    file: str = Field(min_length=1, description="Path, relative to the repository root.")
    json_path: str = Field(default="$", description="Where the value is in the JSON document.")


class CommandSource(Strict):
    """A command (no shell); its stdout is a number or JSON."""

    type: Literal["command"]
    argv: list[str] = Field(min_length=1, description="Program and arguments.")
    json_path: str = Field(default="$", description="Where the value is when stdout is JSON.")
    timeout: OptDuration = None


Source = Annotated[
    PrometheusSource | HttpJsonSource | FileSource | CommandSource, Field(discriminator="type")
]


class Analysis(Strict):
    """The analysis loop; unset fields come from the gate, then from ``health:`` in .maestro.yml."""

    interval: OptDuration = Field(default=None, description="Time between measurements.")
    count: OptCount = Field(default=None, ge=1, description="Number of measurements.")
    initial_delay: OptDuration = Field(default=None, description="Wait before the first one.")
    failure_limit: OptLimit = Field(default=None, ge=0, description="Failed measurements tolerated.")
    inconclusive_limit: OptLimit = Field(
        default=None, ge=0, description="Inconclusive measurements tolerated."
    )
    consecutive_error_limit: OptLimit = Field(
        default=None, ge=0, description="Consecutive errors tolerated (default 4)."
    )
    consecutive_success_limit: OptLimit = Field(
        default=None, ge=0, description="Stop measuring after this many successes in a row (0: off)."
    )
    dry_run: Annotated[bool | None, WithJsonSchema({"type": "boolean"})] = Field(
        default=None, description="Measure and show, but never block."
    )


class Compare(Strict):
    """Canary vs baseline: Mann-Whitney U plus an effect-size tolerance."""

    baseline: Source
    direction: Literal["increase", "decrease", "either"] = Field(
        default="increase", description="Which change is bad: 'increase' for latency and errors."
    )
    tolerance: float = Field(default=0.1, ge=0, description="Relative change of the median allowed.")
    alpha: float = Field(default=0.05, gt=0, lt=1, description="Significance level of the test.")
    max_variance_ratio: float = Field(
        default=4.0, gt=1, description="Canary variance / baseline variance that counts as noisier."
    )
    min_samples: int = Field(default=3, ge=2, description="Fewer samples on either side: no data.")


class BurnRate(Strict):
    """Error-budget burn rate over a long and a short window; both must burn to fail."""

    objective: float = Field(gt=0, lt=1, description="SLO target, e.g. 0.999.")
    long_window: Duration = Field(default=3600.0, description="Long window (confirms it matters).")
    short_window: Duration = Field(default=300.0, description="Short window (confirms it is ongoing).")
    max_burn: float = Field(default=1.0, gt=0, description="Burn rate at which the metric fails.")


class Metric(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    source: Source
    success: str | None = Field(default=None, description="Condition for a successful measurement.")
    failure: str | None = Field(default=None, description="Condition for a failed measurement.")
    on_no_data: Outcome = "inconclusive"
    on_nan: Outcome = "inconclusive"
    analysis: Analysis = Field(default_factory=Analysis)
    compare: Compare | None = None
    burn_rate: BurnRate | None = None
    unit: str = Field(default="", max_length=16, description="Shown next to values.")

    @field_validator("success", "failure")
    @classmethod
    def _parses(cls, text: str | None) -> str | None:
        if text is not None:
            try:
                parse_condition(text)
            except ConditionError as exc:
                raise ValueError(f"invalid condition: {exc}") from None
        return text

    @model_validator(mode="after")
    def _check(self) -> Metric:
        if self.compare and self.burn_rate:
            raise ValueError("a metric is either a comparison or a burn rate, not both")
        special = self.compare or self.burn_rate
        if special is None and self.success is None and self.failure is None:
            raise ValueError("give a 'success' or a 'failure' condition (or 'compare' / 'burn_rate')")
        return self


class GateSpec(Strict):
    """A health gate: metrics measured in a loop, judged promote / hold / rollback."""

    schema_version: Literal[1] = 1
    name: str = Field(default="health", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    timeout: OptDuration = Field(default=None, description="Deadline of the whole analysis.")
    analysis: Analysis = Field(default_factory=Analysis)
    metrics: list[Metric] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> GateSpec:
        seen: set[str] = set()
        for metric in self.metrics:
            if metric.name in seen:
                raise ValueError(f"metric name '{metric.name}' is used twice")
            seen.add(metric.name)
        return self


SCHEMA_EXPORTS: dict[str, type[BaseModel]] = {"health-gate": GateSpec}
SOURCE_MODELS: dict[str, type[BaseModel]] = {
    "prometheus": PrometheusSource,
    "http_json": HttpJsonSource,
    "file": FileSource,
    "command": CommandSource,
}


def _check_source_types(doc: Any) -> None:
    metrics = doc.data.get("metrics") if isinstance(doc.data, dict) else None
    if not isinstance(metrics, list):
        return
    for i, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        sources: list[tuple[str | int, ...]] = [("metrics", i, "source")]
        compare = metric.get("compare")
        if isinstance(compare, dict):
            sources.append(("metrics", i, "compare", "baseline"))
        for path in sources:
            node: Any = metric
            for key in path[2:]:
                node = node.get(key) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                continue
            kind = node.get("type")
            if kind not in SOURCE_TYPES:
                hint = did_you_mean(str(kind), SOURCE_TYPES)
                where = "$." + ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path)
                line = doc.line_of((*path, "type")) or doc.line_of(path)
                raise InputError(
                    f"at {where.replace('.[', '[')}.type: unknown source type {kind!r}"
                    + (f", {hint}" if hint else ""),
                    file=doc.file,
                    place=f"line {line}" if line else None,
                    fix=f"use one of: {', '.join(SOURCE_TYPES)}",
                )
            _check_branch(doc, path, node, SOURCE_MODELS[kind])


def _check_branch(doc: Any, path: tuple[str | int, ...], node: Any, model: type[BaseModel]) -> None:
    """Validate one source against its own type's schema, so errors name the right keys."""
    from maestro_ci.sources.yamlfile import Document, schema_errors

    lines = {key[len(path) :]: line for key, line in doc.lines.items() if key[: len(path)] == path}
    sub = Document(doc.file, node, lines)
    errors = schema_errors(sub, model.model_json_schema())
    if errors:
        first = errors[0]
        prefix = "$." + ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path)
        first.message = first.message.replace("at $", "at " + prefix.replace(".[", "["), 1)
        raise first


def load_gate(path: Path) -> GateSpec:
    """Read and validate a gate file; every problem is an :class:`InputError`."""
    from maestro_ci.sources.yamlfile import load_document, validate_document

    doc = load_document(path, "health gate")
    try:  # the common case, without importing jsonschema (slow to import)
        return GateSpec.model_validate(doc.data, strict=True)
    except ValidationError:
        pass  # explain it with the schema: file, line, JSON path, did-you-mean
    _check_source_types(doc)
    return validate_document(doc, GateSpec)
