# Risk: score feature/discount against main, with coverage of both sides and ruff findings.
# The summary then shows the risk section: a chart of each signal's contribution and the reasons.
(
  cd "$SAMPLE"
  head_ref=$(git rev-parse --abbrev-ref HEAD)
  for side in main "$head_ref"; do
    git checkout -q "$side"
    name=$([ "$side" = main ] && echo base || echo head)
    "$PY" -m coverage run --branch -m pytest -q -p no:cacheprovider -p no:randomly >/dev/null 2>&1 || true
    "$PY" -m coverage json -q -o "$WORK/coverage-$name.json" >/dev/null 2>&1 || true
    rm -f .coverage
  done
  git checkout -q "$head_ref"
  "$ROOT/.venv/bin/ruff" check --isolated --select E,F,B,PLR --output-format json shop tests \
    > "$WORK/ruff.json" 2>/dev/null || true
)
risk_args=(--base main)
if [ -s "$WORK/coverage-base.json" ] && [ -s "$WORK/coverage-head.json" ]; then
  risk_args+=(--coverage-base "$WORK/coverage-base.json" --coverage-head "$WORK/coverage-head.json")
fi
if [ -s "$WORK/ruff.json" ]; then
  risk_args+=(--ruff-json "$WORK/ruff.json")
fi
"$MAESTRO" risk -C "$SAMPLE" "${risk_args[@]}" || echo "demo: the risk gate asked for a reviewer (expected on risky changes)"
