"""``maestro-ci health``: the canary health gate — promote, hold or roll back, with every measurement."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestro_ci.errors import UsageError
from maestro_ci.frontend import Invocation

if TYPE_CHECKING:
    from maestro_ci.jobs.health_model import GateSpec
    from maestro_ci.models import GateResult

DESCRIPTION = (
    "Measure metrics (Prometheus, HTTP JSON, a file, a command) in a loop and decide: promote "
    "(exit 0), hold (exit 1: a metric lacked data) or roll back (exit 1; exit 3 when a source "
    "stayed unreachable). Give a gate file, or use a quick form for score / p95 / error rate."
)
EPILOG = """examples:
  maestro-ci health --gate gates/canary.yml
  maestro-ci health --score-url "$EVAL_GATE_URL" --min-score 0.85 \\
      --slo-api "$SLO_API" --max-p95-ms 300 --max-error-rate 0.01 --timeout 5m
  maestro-ci health --prometheus http://prometheus:9090 --max-error-rate 0.01 \\
      --error-rate-query 'sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))'

environment: EVAL_GATE_URL and SLO_API are the defaults of --score-url and --slo-api."""
FORMATS = ("lines",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gate", metavar="FILE", help="gate file (see docs/health.md)")
    quick = parser.add_argument_group("quick form (instead of --gate)")
    quick.add_argument(
        "--score-url", metavar="URL", help="answers JSON with 'score' (default: $EVAL_GATE_URL)"
    )
    quick.add_argument("--min-score", type=float, metavar="X", help="promote only when score >= X")
    quick.add_argument(
        "--slo-api", metavar="URL", help="serves GET /latency (p95, ms) and GET /error_rate (value)"
    )
    quick.add_argument("--max-p95-ms", type=float, metavar="MS", help="promote only when p95 <= MS")
    quick.add_argument("--max-error-rate", type=float, metavar="X", help="promote only when error rate <= X")
    quick.add_argument(
        "--prometheus", metavar="URL", help="read the three values with PromQL from this server"
    )
    quick.add_argument("--score-query", metavar="PROMQL", help="PromQL for the score (with --prometheus)")
    quick.add_argument("--p95-query", metavar="PROMQL", help="PromQL for p95 in ms (with --prometheus)")
    quick.add_argument(
        "--error-rate-query", metavar="PROMQL", help="PromQL for the error rate (with --prometheus)"
    )
    loop = parser.add_argument_group("analysis loop (override the gate file and .maestro.yml)")
    loop.add_argument("--timeout", metavar="DURATION", help="deadline of the whole analysis, e.g. 5m")
    loop.add_argument("--interval", metavar="DURATION", help="time between measurements, e.g. 30s")
    loop.add_argument("--count", type=int, metavar="N", help="measurements per metric")
    loop.add_argument("--initial-delay", metavar="DURATION", help="wait before the first measurement")
    loop.add_argument("--dry-run", action="store_true", help="measure and report, never block")


def _duration(text: str | None, flag: str) -> float | None:
    from maestro_ci.jobs.durations import parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text, flag)
    except ValueError as exc:
        raise UsageError(str(exc), fix=f"pass {flag} 30s, 5m or 1h") from None


def quick_gate(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """The gate document the quick-form flags describe."""
    metrics: list[dict[str, Any]] = []
    wanted = [
        (
            "score",
            args.min_score,
            "score_query",
            "result >= {}",
            "--score-url",
            "EVAL_GATE_URL",
            "",
            "$.score",
        ),
        ("p95_ms", args.max_p95_ms, "p95_query", "result <= {}", "--slo-api", "SLO_API", "/latency", "$.p95"),
        (
            "error_rate",
            args.max_error_rate,
            "error_rate_query",
            "result <= {}",
            "--slo-api",
            "SLO_API",
            "/error_rate",
            "$.value",
        ),
    ]
    for name, limit, query_flag, condition, url_flag, env_name, suffix, path in wanted:
        if limit is None:
            continue
        shown = str(int(limit)) if limit.is_integer() else repr(limit)
        entry: dict[str, Any] = {"name": name, "success": condition.format(shown)}
        if args.prometheus:
            promql = getattr(args, query_flag)
            if not promql:
                flag = "--" + query_flag.replace("_", "-")
                raise UsageError(f"--prometheus needs {flag} for {name}", fix=f"pass {flag} 'PROMQL'")
            entry["source"] = {"type": "prometheus", "url": args.prometheus, "query": promql}
        else:
            base = getattr(args, url_flag[2:].replace("-", "_")) or env.get(env_name, "")
            if not base:
                raise UsageError(
                    f"no URL for {name}: pass {url_flag} or set {env_name}",
                    fix=f"export {env_name}=https://... or pass {url_flag} URL",
                )
            url = base.rstrip("/") + suffix if suffix else base
            entry["source"] = {"type": "http_json", "url": url, "json_path": path}
        metrics.append(entry)
    if not metrics:
        raise UsageError(
            "nothing to check: give --gate FILE or a threshold (--min-score, --max-p95-ms, --max-error-rate)",
            fix="maestro-ci health --gate gate.yml, or maestro-ci health --min-score 0.85 --score-url URL",
        )
    return {"name": "health", "metrics": metrics}


def load_spec(args: argparse.Namespace, inv: Invocation) -> tuple[GateSpec, str | None]:
    from maestro_ci.jobs.health_model import GateSpec, load_gate

    quick = any(
        getattr(args, n) is not None for n in ("min_score", "max_p95_ms", "max_error_rate", "prometheus")
    )
    if args.gate and quick:
        raise UsageError("give either --gate or the quick-form flags, not both", fix="drop one of them")
    overrides = {
        "interval": _duration(args.interval, "--interval"),
        "count": args.count,
        "initial_delay": _duration(args.initial_delay, "--initial-delay"),
        "dry_run": True if args.dry_run else None,
    }
    if args.count is not None and args.count < 1:
        raise UsageError(f"--count {args.count}: needs at least 1 measurement", fix="pass --count 1 or more")
    timeout = _duration(args.timeout, "--timeout")
    if args.gate:
        path = Path(args.gate) if Path(args.gate).is_absolute() else inv.cwd / args.gate
        spec, shown = load_gate(path), args.gate
    else:
        spec, shown = GateSpec.model_validate(quick_gate(args, inv.env)), None
    given = {k: v for k, v in overrides.items() if v is not None}
    metrics = [m.model_copy(update={"analysis": m.analysis.model_copy(update=given)}) for m in spec.metrics]
    update: dict[str, Any] = {"analysis": spec.analysis.model_copy(update=given), "metrics": metrics}
    if timeout is not None:
        update["timeout"] = timeout
    return spec.model_copy(update=update), shown


def run(args: argparse.Namespace, inv: Invocation) -> int:
    from maestro_ci.health_probes import Fetcher, all_sources, check_sources
    from maestro_ci.jobs.health import run_gate
    from maestro_ci.jobs.health_model import Remote
    from maestro_ci.models import InputFile
    from maestro_ci.sources.store import sha256_file

    spec, shown = load_spec(args, inv)
    check_sources(spec, inv.env, shown)
    config = inv.settings.config.health
    fetch = Fetcher(inv.env, inv.settings.base_dir, config)
    if any(isinstance(source, Remote) for _, source in all_sources(spec)):
        fetch.client  # noqa: B018 - import httpx and open the pool before the clock starts
    inv.info(f"health: {len(spec.metrics)} metric(s): " + ", ".join(m.name for m in spec.metrics))
    try:
        result = run_gate(spec, fetch, config, gate_file=shown)
    finally:
        fetch.close()
    if shown:
        path = Path(shown) if Path(shown).is_absolute() else inv.cwd / shown
        result = result.model_copy(update={"inputs": [InputFile(path=shown, sha256=sha256_file(path))]})
    return inv.emit(result, {"text": render_lines, "lines": render_lines})


def render_lines(result: GateResult) -> str:
    """The text verdict, then one line per measurement."""
    from maestro_ci.render.text import render_text

    lines = [render_text(result).rstrip("\n")]
    for metric in result.details.get("metrics", []):
        lines.append(f"  metric {metric['name']}: {metric['phase']} ({metric['why']})")
        for m in metric["measurements"]:
            value = m.get("value")
            extra = f" — {m['message']}" if m.get("message") else ""
            lines.append(
                f"    #{m['index']} +{m['at']}s {m['phase']}: value {value} [{m['condition']}]{extra}"
            )
    return "\n".join(lines) + "\n"
