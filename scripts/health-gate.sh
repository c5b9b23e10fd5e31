#!/usr/bin/env bash
# Drop-in replacement for a team's health-gate script, backed by `maestro-ci health`.
#
#   health-gate.sh --min-score 0.85 --timeout 5m
#   health-gate.sh --min-score 0.85 --max-p95-ms 300 --max-error-rate 0.01 --timeout 5m
#
# EVAL_GATE_URL (JSON with "score") and SLO_API (GET /latency -> p95 in ms,
# GET /error_rate -> value) are read from the environment unless --score-url /
# --slo-api are given. Every other flag is passed to `maestro-ci health` as is.
# Exit codes: 0 promote, 1 hold or roll back, 2 bad input, 3 no verdict (a source
# stayed unreachable).
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

if [ -n "${MAESTRO_CI:-}" ]; then
  read -r -a runner <<<"$MAESTRO_CI"
elif command -v maestro-ci >/dev/null 2>&1; then
  runner=(maestro-ci)
else
  runner=(python3 -m maestro_ci)
fi

exec "${runner[@]}" health "$@"
