# The run's one summary page (Markdown and standalone HTML) from every gate result under $OUT/runs/demo.
"$MAESTRO" summary --run "$OUT/runs/demo" --out "$OUT/summary.md" --html "$OUT/summary.html" \
  || echo "demo: the summary names broken result files above (the page was still written)"
