# Policy: rules with reasons, one rule in 'warn' mode, one enforced rule lifted by an override.
mkdir -p "$SAMPLE/policy" "$SAMPLE/infra" "$SAMPLE/.maestro"
cat > "$SAMPLE/policy/rules.yaml" <<'YAML'
allow:
  - path: 'shop/**'
    actions: ['read', 'write']
deny:
  - path: 'infra/**'
    actions: ['write']
    reason: 'Infra changes require human review.'
    fix: 'ask @shop/platform for a review, or override with a justification.'
deps:
  deny:
    - pattern: '/.*GPL.*/i'
      reason: 'GPL-licensed deps violate distribution policy.'
models:
  mode: warn
  max_usd_per_pr: 3.00
  max_prompt_tokens: 60000
  reason: 'Agents working on one change should stay within budget.'
  fix: 'split the task, or use a smaller model for drafts.'
secrets:
  mode: enforce
YAML
# What the coding agent spent on this change (one JSON record per model call).
cat > "$SAMPLE/.maestro/usage.jsonl" <<'JSONL'
{"model": "large-model", "prompt_tokens": 21000, "completion_tokens": 3000, "cost_usd": 1.60}
{"model": "large-model", "prompt_tokens": 18000, "completion_tokens": 2500, "cost_usd": 1.45}
{"model": "small-model", "prompt_tokens": 9000, "completion_tokens": 1200, "cost_usd": 0.35}
JSONL
printf 'resource "cache" "shop" {\n  size = "small"\n}\n' > "$SAMPLE/infra/cache.tf"
(cd "$SAMPLE" && git add policy/rules.yaml infra/cache.tf && git commit -q -m "Add a cache and the policy rules")
"$MAESTRO" validate -C "$SAMPLE" policy/rules.yaml --no-record
echo "demo: policy without an override: the infra rule blocks (exit 1 expected)"
"$MAESTRO" policy -C "$SAMPLE" --base main --no-record || echo "demo: blocked as expected"
echo "demo: policy with MAESTRO_OVERRIDE and a justification (recorded in the result)"
MAESTRO_OVERRIDE='deny-infra: cache sizing approved by @shop/platform in the design review' \
  "$MAESTRO" policy -C "$SAMPLE" --base main --sarif "$OUT/policy.sarif"
