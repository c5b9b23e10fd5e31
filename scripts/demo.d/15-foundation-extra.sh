# Foundation extras: the composite action's entry point run locally as action.yml runs it
# (inputs through INPUT_* variables, outputs into a GITHUB_OUTPUT file), and `fail-on`.
action_out="$OUT/action-outputs.txt"
: > "$action_out"
(
  cd "$SAMPLE"
  GITHUB_OUTPUT="$action_out" INPUT_COMMAND="secrets scan" INPUT_ARGS="shop tests" \
    INPUT_FAIL_ON=warn "$PY" -m maestro_ci.action run >/dev/null
) && echo "demo: the action step passed (fail-on: warn)" \
  || echo "demo: the action step failed on purpose or found something (fail-on: warn)"
echo "demo: action outputs (as a later workflow step would see them) in $action_out:"
grep -E '^(status|summary|exit-code)<<' -A1 "$action_out" | grep -v -E '^(--|ghadelimiter_)' | paste - - | sed 's/<<ghadelimiter_[0-9a-f]*\t/ = /; s/^/  /'
