#!/usr/bin/env bash
# `make demo`: build a sample repository with a git history in a temp folder, run every
# maestro-ci job on it, and write demo-out/summary.md (the job-summary page).
#
# Each job's part of the demo is a step in scripts/demo.d/ (run in name order), sourced
# with these variables set:
#   MAESTRO   the maestro-ci command           SAMPLE  the sample repository (on feature/discount)
#   OUT       demo-out/ (absolute)              PY      the venv's python
#   MAESTRO_RUN_ID=demo, MAESTRO_RUN_DIR=$OUT/runs: every gate result lands in $OUT/runs/demo/
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
MAESTRO="$ROOT/.venv/bin/maestro-ci"
OUT="$ROOT/demo-out"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/maestro-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SAMPLE="$WORK/shop"

rm -rf "$OUT"
mkdir -p "$OUT"
export MAESTRO_RUN_ID=demo MAESTRO_RUN_DIR="$OUT/runs" ROOT PY MAESTRO OUT SAMPLE WORK
"$PY" "$ROOT/scripts/sample_repo.py" "$SAMPLE" >/dev/null
echo "demo: sample repository at $SAMPLE (branch feature/discount, base main)"

for step in "$ROOT"/scripts/demo.d/*.sh; do
  echo "demo: --- $(basename "$step" .sh)"
  # shellcheck source=/dev/null
  source "$step"
done

test -s "$OUT/summary.md"
echo
echo "demo: summary page written to $OUT/summary.md"
