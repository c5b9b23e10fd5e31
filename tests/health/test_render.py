"""The health section of the Markdown summary: verdict, a table per metric, a Mermaid chart."""

from __future__ import annotations

import math

from maestro_ci.jobs.health import run_gate
from maestro_ci.jobs.health_model import GateSpec
from maestro_ci.render.markdown import render_markdown
from maestro_ci.render.sections.health import render
from maestro_ci.sections.health import HealthSection
from tests.health.conftest import FakeClock, ScriptedFetch, unreachable


def test_tables_charts_and_statistics(clock: FakeClock) -> None:
    spec = GateSpec.model_validate(
        {
            "analysis": {"count": 60, "interval": "10s", "failure_limit": 100},
            "metrics": [
                {
                    "name": "p95",
                    "unit": "ms",
                    "source": {"type": "file", "file": "p95"},
                    "success": "result < 300",
                },
                {"name": "vec", "source": {"type": "file", "file": "vec"}, "success": "len(result) > 0"},
                {
                    "name": "lat",
                    "source": {"type": "file", "file": "c"},
                    "compare": {"baseline": {"type": "file", "file": "b"}},
                    "analysis": {"count": 1},
                },
                {
                    "name": "down",
                    "source": {"type": "file", "file": "down"},
                    "success": "result > 0",
                    "analysis": {"count": 1, "dry_run": True},
                },
            ],
        }
    )
    script = {
        "p95": [float(200 + i) for i in range(60)] + [math.inf],
        "vec": [[float(i) for i in range(8)]],
        "c": [[100.0, 101.0, 102.0, 103.0]],
        "b": [[100.0, 101.0, 102.0, 103.0]],
        "down": [unreachable()],
    }
    result = run_gate(
        spec, ScriptedFetch(clock, script), HealthSection(retries=0), clock=clock, sleep=clock.sleep
    )
    text = render(result)
    assert "**Verdict: 🚀 promote**" in text
    assert "xychart-beta" in text and 'title "p95 (ms) per measurement"' in text
    assert "| 2 | +10s | ✅ successful | 201 | `result < 300` |" in text
    assert "more in the JSON result" in text
    assert "[0, 1, 2, 3, 4, …]" in text
    assert "classification=pass" in text and "p_value=" in text
    assert "⛔ error (dry run)" in text
    page = render_markdown(result)
    assert page.startswith("## health — ⚠️ warn") and text in page
