"""What one run of a scenario's checks sees: merged fixtures, the range, the options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import InputError
from maestro_ci.jobs.evals_model import Fixture

if TYPE_CHECKING:
    from maestro_ci.models import ChangeSet, GateResult
    from maestro_ci.sources.eval_command import CommandOutcome
    from maestro_ci.sources.eval_workspace import PatchOutcome, Workspace


@dataclass(frozen=True)
class Options:
    """Run-wide settings taken from the config and the flags."""

    threshold: float = 0.85
    command_timeout: float = 120.0
    env_allow: tuple[str, ...] = ()
    junit: tuple[str, ...] = ()
    base_junit: tuple[str, ...] = ()
    allowed_regression: float = 0.02
    robustness_bound: float = 0.05


def as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def merge_fixtures(fixtures: list[Fixture]) -> Fixture:
    merged: dict[str, Any] = {}
    for fixture in fixtures:
        merged.update(fixture.model_dump(exclude_unset=True))
    return Fixture.model_validate(merged)


@dataclass
class RunContext:
    ws: Workspace
    fixture: Fixture
    options: Options
    timeout: float | None = None  # the scenario's default command timeout
    env: Mapping[str, str] = field(default_factory=dict)  # set by a variant

    @property
    def base(self) -> str:
        if self.fixture.base:
            return self.fixture.base
        if not self.ws.base:
            raise InputError(
                f"the change's base is unknown: {self.ws.range_error or 'no base'}", fix="pass --base REF"
            )
        return self.ws.base

    @property
    def head(self) -> str:
        return self.fixture.head or self.ws.head

    def change(self) -> ChangeSet:
        return self.ws.change(self.base, self.head)

    def show(self, ref: str, path: str) -> str | None:
        return self.ws.show(ref, path)

    def junit_files(self, override: str | list[str] | None = None) -> list[str]:
        return as_list(override) or as_list(self.fixture.junit) or list(self.options.junit)

    def head_outcomes(self, override: str | list[str] | None = None) -> dict[str, str] | None:
        files = self.junit_files(override)
        return self.ws.outcomes(files) if files else None

    def base_outcomes(self) -> dict[str, str] | None:
        files = as_list(self.fixture.base_junit) or list(self.options.base_junit)
        return self.ws.outcomes(files) if files else None

    def gate(self, name: str) -> GateResult:
        return self.ws.gate(name, self.base, self.head)

    def patch(self, patch: str | None, three_way: bool) -> PatchOutcome:
        return self.ws.patch_check(patch or self.fixture.patch, self.base, self.head, three_way)

    def command(
        self, run: str, cwd: str, allow: list[str], env: Mapping[str, str], timeout: float | None
    ) -> CommandOutcome:
        limit = timeout or self.timeout or self.options.command_timeout
        allow_all = [*self.options.env_allow, *allow]
        return self.ws.command(run, cwd, allow_all, {**env, **self.env}, limit)
