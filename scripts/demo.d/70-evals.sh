# Evals: two scenarios judge the feature/discount change like an agent's patch, with JUnit
# from real pytest runs of the head and of the new test against the base.
mkdir -p "$SAMPLE/evals"
cat > "$SAMPLE/evals/discount-cap.yml" <<'YAML'
id: discount.cap@v1
description: the discount cap is fixed, proven by a regression test, nothing else broke
prompt: implement
required: true
fixtures:
  - failing_tests: 'tests/test_pricing.py::test_discount_is_capped'
    context_files: [shop/pricing.py]
checks:
  - type: patch_applies
  - type: tests_pass
  - type: structured_requirements
    require:
      - adds test that reproduces prior failure
      - does not change public API
      - touches_only: ['shop/**', 'tests/**', 'evals/**', 'policy/**', 'infra/**', '.maestro.yml']
  - type: command
    id: cart-still-works
    run: python -m pytest -q -p no:cacheprovider tests/test_cart.py
    timeout: 120
    expect: [{regex: '\d+ passed'}, {not-contains: failed}]
scoring:
  exact: 0.5
  tests: 0.5
threshold: 0.9
YAML
cat > "$SAMPLE/evals/release-notes.yml" <<'YAML'
id: release.notes@v1
description: a user-facing change comes with release notes (held out from the suite score)
prompt: release
holdout: true
checks:
  - type: structured_requirements
    require: [updates the changelog]
  - type: command
    run: git log --format=%B main..HEAD
    expect: [{regex: '(?i)regression test'}]
YAML
(cd "$SAMPLE" && git add evals && git commit -q -m "Add eval scenarios")
"$MAESTRO" eval list -C "$SAMPLE"
# JUnit of the head, and of the new test run against the base code (it must fail there).
(cd "$SAMPLE" && "$PY" -m pytest -q -p no:cacheprovider --junitxml="$WORK/junit-head.xml" >/dev/null) || true
git -C "$SAMPLE" worktree add -q "$WORK/shop-base" main
cp "$SAMPLE/tests/test_pricing.py" "$WORK/shop-base/tests/test_pricing.py"
(cd "$WORK/shop-base" && "$PY" -m pytest -q -p no:cacheprovider --junitxml="$WORK/junit-base.xml" \
  tests/test_pricing.py >/dev/null) || true
git -C "$SAMPLE" worktree remove --force "$WORK/shop-base"
PATH="$(dirname "$PY"):$PATH" "$MAESTRO" eval run -C "$SAMPLE" --base main \
  --junit "$WORK/junit-head.xml" --base-junit "$WORK/junit-base.xml" \
  || echo "demo: the eval gate blocked (shown in the summary)"
"$MAESTRO" eval coverage -C "$SAMPLE" --no-record
