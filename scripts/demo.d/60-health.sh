# Health gate: a canary checked against a tiny SLO API on loopback (started and stopped
# here), then a gate file whose latency file drifts upward: promote, then rollback.
HEALTH_DIR="$WORK/health"
mkdir -p "$HEALTH_DIR/api"
echo '{"score": 0.91}' >"$HEALTH_DIR/api/eval"
echo '{"p95": 212}' >"$HEALTH_DIR/api/latency"
echo '{"value": 0.002}' >"$HEALTH_DIR/api/error_rate"
HEALTH_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" -m http.server "$HEALTH_PORT" --bind 127.0.0.1 --directory "$HEALTH_DIR/api" >/dev/null 2>&1 &
HEALTH_PID=$!
"$PY" - "$HEALTH_PORT" <<'PYEOF'
import sys, time, urllib.request
deadline = time.monotonic() + 10
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/eval", timeout=1).read()
        break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("demo: the SLO API did not start")
        time.sleep(0.05)
PYEOF
echo "demo: quick form against the SLO API on 127.0.0.1:$HEALTH_PORT (3 measurements, 200ms apart)"
MAESTRO_CI="$MAESTRO" EVAL_GATE_URL="http://127.0.0.1:$HEALTH_PORT/eval" SLO_API="http://127.0.0.1:$HEALTH_PORT" \
  "$ROOT/scripts/health-gate.sh" -C "$SAMPLE" --min-score 0.85 --max-p95-ms 300 --max-error-rate 0.01 \
  --count 3 --interval 200ms --timeout 1m || echo "demo: the quick-form gate did not promote (see above)"
kill "$HEALTH_PID" 2>/dev/null || true
wait "$HEALTH_PID" 2>/dev/null || true

echo "demo: a gate file whose p95 drifts over the limit (the gate rolls back on purpose)"
echo '{"p95": 240}' >"$HEALTH_DIR/p95.json"
cat >"$HEALTH_DIR/canary-gate.yml" <<YAML
name: checkout-canary
analysis: {count: 4, interval: 200ms}
metrics:
  - name: p95_ms
    unit: ms
    source: {type: command, argv: ["$PY", "-c", "import json,pathlib; p=pathlib.Path('$HEALTH_DIR/p95.json'); d=json.loads(p.read_text()); p.write_text(json.dumps({'p95': d['p95'] + 30})); print(d['p95'])"]}
    success: result <= 300
  - name: error_rate
    source: {type: file, file: "$HEALTH_DIR/api/error_rate", json_path: value}
    success: result < 0.01
YAML
"$MAESTRO" validate --kind health "$HEALTH_DIR/canary-gate.yml" --no-record -C "$SAMPLE"
"$MAESTRO" health -C "$SAMPLE" --gate "$HEALTH_DIR/canary-gate.yml" --no-record \
  || echo "demo: the health gate rolled back as intended (p95 rose past 300 ms)"
