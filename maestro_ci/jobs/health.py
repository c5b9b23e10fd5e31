"""The health gate's analysis loop: measure every metric on its schedule, judge, decide.

Judging follows Argo Rollouts: each measurement is successful, failed, inconclusive
or error. A metric fails when its failures exceed ``failure_limit``, errors when its
consecutive errors exceed ``consecutive_error_limit``, is inconclusive when its
inconclusives exceed ``inconclusive_limit``. The verdict is the worst metric: all
successful → promote; any inconclusive → hold; any failed or errored → rollback.
A metric whose source was still failing at the end, or that never succeeded, never
passes. The clock and the sleep are parameters, so tests run on a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from maestro_ci.jobs.health_judge import Fetch, Verdict, measure
from maestro_ci.jobs.health_model import Analysis, GateSpec, Metric
from maestro_ci.jobs.health_result import build_result
from maestro_ci.models import GateResult
from maestro_ci.sections.health import HealthSection
from maestro_ci.sources.probe import ProbeError

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Plan:
    """The analysis settings of one metric after metric > gate > config defaults."""

    interval: float
    count: int
    initial_delay: float
    failure_limit: int
    inconclusive_limit: int
    consecutive_error_limit: int
    consecutive_success_limit: int
    dry_run: bool


def plan_for(metric: Metric, gate: Analysis, config: HealthSection) -> Plan:
    def pick(name: str) -> object:
        for layer in (metric.analysis, gate):
            value = getattr(layer, name)
            if value is not None:
                return value
        return getattr(config, name, False)

    return Plan(**{name: pick(name) for name in Plan.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass
class MetricRun:
    metric: Metric
    plan: Plan
    next_due: float
    measurements: list[dict[str, object]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"successful": 0, "failed": 0, "inconclusive": 0, "error": 0}
    )
    consecutive_errors: int = 0
    consecutive_successes: int = 0
    phase: str = "running"
    why: str = ""
    unreachable: bool = False

    def add(self, verdict: Verdict, record: dict[str, object], unreachable: bool) -> None:
        self.measurements.append(record)
        self.counts[verdict.phase] += 1
        self.consecutive_errors = self.consecutive_errors + 1 if verdict.phase == "error" else 0
        self.consecutive_successes = self.consecutive_successes + 1 if verdict.phase == "successful" else 0
        self.unreachable = unreachable if verdict.phase == "error" else self.unreachable
        plan, c = self.plan, self.counts
        if c["failed"] > plan.failure_limit:
            self.finish("failed", f"{c['failed']} failed measurement(s), limit {plan.failure_limit}")
        elif self.consecutive_errors > plan.consecutive_error_limit:
            self.finish(
                "error", f"{self.consecutive_errors} errors in a row, limit {plan.consecutive_error_limit}"
            )
        elif c["inconclusive"] > plan.inconclusive_limit:
            self.finish(
                "inconclusive",
                f"{c['inconclusive']} inconclusive measurement(s), limit {plan.inconclusive_limit}",
            )
        elif plan.consecutive_success_limit and self.consecutive_successes >= plan.consecutive_success_limit:
            self.finish("successful", f"{self.consecutive_successes} successes in a row")
        elif len(self.measurements) >= plan.count:
            self.settle(timed_out=False)

    def finish(self, phase: str, why: str) -> None:
        self.phase, self.why = phase, why

    def settle(self, timed_out: bool) -> None:
        """The phase of a metric whose measurements ended without hitting a limit."""
        taken = len(self.measurements)
        if self.consecutive_errors:
            self.finish(
                "error", f"the source was still failing at the end ({self.consecutive_errors} error(s))"
            )
        elif self.counts["successful"] == 0:
            self.finish("inconclusive", "no successful measurement" if taken else "never measured")
        elif timed_out and taken < self.plan.count:
            self.finish(
                "inconclusive", f"the analysis timed out after {taken} of {self.plan.count} measurements"
            )
        else:
            self.finish("successful", f"{self.counts['successful']} of {taken} measurement(s) successful")


def run_gate(
    spec: GateSpec,
    fetch: Fetch,
    config: HealthSection,
    clock: Clock = time.time,
    sleep: Sleep = time.sleep,
    gate_file: str | None = None,
) -> GateResult:
    """Run the whole analysis and return the gate's result (never raises for a bad source)."""
    start = clock()
    deadline = (
        start + spec.timeout
        if spec.timeout is not None
        else (start + config.timeout if config.timeout is not None else None)
    )
    runs = []
    for metric in spec.metrics:
        plan = plan_for(metric, spec.analysis, config)
        runs.append(MetricRun(metric, plan, start + plan.initial_delay))
    stopped = ""
    stop_tick: float | None = None  # after a blocking metric, finish the current tick, then stop
    while True:
        active = [r for r in runs if r.phase == "running"]
        if stop_tick is not None:
            active = [r for r in active if r.next_due <= stop_tick]
        if not active:
            break
        run = min(active, key=lambda r: r.next_due)
        if deadline is not None and run.next_due > deadline:
            stopped = "deadline"
            break
        wait = run.next_due - clock()
        if wait > 0:
            sleep(wait)
        due, began = run.next_due, clock()
        verdict, unreachable, attempts = _measure_with_retries(
            run.metric, fetch, config, clock, sleep, deadline
        )
        now = clock()
        run.add(verdict, _record(run, verdict, now - start, now, attempts), unreachable)
        # on schedule despite jitter; a measurement late by half an interval shifts the rest (no bunching)
        late = began - due >= run.plan.interval / 2
        run.next_due = (began if late else due) + run.plan.interval
        if run.phase in ("failed", "error", "inconclusive") and not run.plan.dry_run and stop_tick is None:
            stopped = f"metric '{run.metric.name}' ended {run.phase}"
            stop_tick = due
    for run in runs:
        if run.phase == "running":
            if stopped == "deadline":
                run.settle(timed_out=True)
            else:
                run.finish("stopped", f"not finished: the analysis stopped early ({stopped})")
    return build_result(spec, runs, clock() - start, stopped, gate_file)


def _measure_with_retries(
    metric: Metric,
    fetch: Fetch,
    config: HealthSection,
    clock: Clock,
    sleep: Sleep,
    deadline: float | None,
) -> tuple[Verdict, bool, int]:
    attempt = 0
    while True:
        attempt += 1
        try:
            return measure(metric, fetch), False, attempt
        except ProbeError as exc:
            delay = min(config.retry_backoff * 2 ** (attempt - 1), config.retry_backoff_max)
            out_of_time = deadline is not None and clock() + delay > deadline
            if not exc.retry or attempt > config.retries or out_of_time:
                note = f" (after {attempt} attempts)" if attempt > 1 else ""
                return Verdict("error", None, message=exc.message + note), exc.unreachable, attempt
            sleep(delay)


def _record(run: MetricRun, verdict: Verdict, offset: float, now: float, attempts: int) -> dict[str, object]:
    record: dict[str, object] = {
        "index": len(run.measurements) + 1,
        "phase": verdict.phase,
        "value": verdict.value,
        "condition": verdict.condition,
        "query": verdict.resolved,
        "raw": verdict.raw,
        "at": round(offset, 3),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }
    if verdict.message:
        record["message"] = verdict.message
    if verdict.stats:
        record["stats"] = verdict.stats
    if attempts > 1:
        record["attempts"] = attempts
    return record
