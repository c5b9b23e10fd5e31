"""Any bytes in a result file: the summary names it, renders the rest, never crashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.provenance.helpers import record

junk = st.binary(max_size=300) | st.dictionaries(
    st.sampled_from(["gate", "status", "reasons", "schema_version", "details", "x"]),
    st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2),
    max_size=5,
).map(lambda d: json.dumps(d).encode())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=junk)
def test_summary_survives_any_result_file(cli: Any, tmp_path: Path, content: bytes) -> None:
    run = tmp_path / "runs" / "r"
    shutil.rmtree(run, ignore_errors=True)
    record(run, {"gate": "lint", "status": "pass", "summary": "fine"})
    (run / "zz.json").write_bytes(content)
    res = cli("summary", "--run", str(run), cwd=tmp_path)
    assert "internal error" not in res.err
    assert "## lint — ✅ pass" in res.out
    if res.code == 2:
        assert "r/zz.json" in res.err
        assert "`r/zz.json`" in res.out
    else:
        assert res.code == 0
