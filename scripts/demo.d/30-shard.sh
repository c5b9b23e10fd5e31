# Shard (issue 4): time the sample's tests once, plan 4 shards, run them as 4 parallel pytest
# processes (as a CI matrix does), merge their JUnit results into the timing store, and record the
# shard plan with its realised times and the flaky tests for the summary page.
SHARD_DIR="$WORK/shard-demo"
mkdir -p "$SHARD_DIR"
grep -qx '.maestro/' "$SAMPLE/.git/info/exclude" 2>/dev/null || echo '.maestro/' >>"$SAMPLE/.git/info/exclude"
# A deliberately flaky test (untracked, removed at the end of this step): it fails the first time
# it runs and passes afterwards, so the store sees two outcomes on one commit.
export MAESTRO_DEMO_FLAKY_STATE="$SHARD_DIR/flaky-state"
cat >"$SAMPLE/tests/test_network_demo.py" <<'PY'
import os
import time
from pathlib import Path


def test_fetch_with_timeout() -> None:
    time.sleep(0.1)
    state = Path(os.environ.get("MAESTRO_DEMO_FLAKY_STATE", os.devnull))
    first_time = state != Path(os.devnull) and not state.exists()
    if first_time:
        state.write_text("seen\n")
    assert not first_time, "timed out (this demo test fails on its first run only)"
PY

echo "demo: one serial run, recording JUnit"
(cd "$SAMPLE" && "$PY" -m pytest -q -p no:cacheprovider --junitxml="$SHARD_DIR/serial.xml" | tail -n 2) ||
  echo "demo: (expected) the flaky demo test failed in the serial run"
"$MAESTRO" timings collect -C "$SAMPLE" "$SHARD_DIR/serial.xml" --batch demo-serial

echo "demo: plan 4 shards from the store"
"$MAESTRO" shard -C "$SAMPLE" --shards 4 --collect --no-record --format json --output "$SHARD_DIR/plan.json"
"$MAESTRO" shard -C "$SAMPLE" --plan "$SHARD_DIR/plan.json" --no-record

echo "demo: run the 4 shards as parallel pytest processes (pytest --shard K --shard-plan=plan.json)"
pids=()
for k in 1 2 3 4; do
  (cd "$SAMPLE" && "$PY" -m pytest -q -p no:cacheprovider --shard "$k" --shard-plan="$SHARD_DIR/plan.json" \
    --junitxml="$SHARD_DIR/shard-$k.xml" >"$SHARD_DIR/shard-$k.log" 2>&1) &
  pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || echo "demo: a shard had failures (see $SHARD_DIR)"; done
grep -h "maestro-ci: shard" "$SHARD_DIR"/shard-*.log

echo "demo: each shard collects into its own copy of the store; the merge job merges them"
for k in 1 2 3 4; do
  cp "$SAMPLE/.maestro/timings.json" "$SHARD_DIR/store-$k.json"
  "$MAESTRO" timings collect -C "$SAMPLE" "$SHARD_DIR/shard-$k.xml" --store "$SHARD_DIR/store-$k.json" \
    --batch "demo-shard-$k" >/dev/null
done
"$MAESTRO" timings merge -C "$SAMPLE" "$SHARD_DIR"/store-{1,2,3,4}.json

echo "demo: record the plan with realised times, and the flaky tests"
"$MAESTRO" shard -C "$SAMPLE" --plan "$SHARD_DIR/plan.json" \
  --actual "$SHARD_DIR"/shard-{1,2,3,4}.xml
"$MAESTRO" flaky -C "$SAMPLE" --min-runs 1 || echo "demo: (expected) flaky tests found"
rm -f "$SAMPLE/tests/test_network_demo.py"
unset MAESTRO_DEMO_FLAKY_STATE
