# The run's summary page from every gate result recorded under $OUT/runs/demo.
"$MAESTRO" runs show demo --format markdown --output "$OUT/summary.md"
