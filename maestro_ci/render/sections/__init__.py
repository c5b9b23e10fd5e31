"""Per-gate additions to the Markdown section (charts, tables), found by gate name."""
