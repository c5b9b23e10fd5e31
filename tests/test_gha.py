from __future__ import annotations

import io
import json
import re
from pathlib import Path

from maestro_ci.gha import GitHubActions, cap_markdown, escape_data, escape_property


def _gha(tmp_path: Path, **extra: str) -> tuple[GitHubActions, io.StringIO]:
    out = io.StringIO()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        **extra,
    }
    return GitHubActions(env, out), out


def test_multiline_output_uses_a_random_heredoc(tmp_path: Path) -> None:
    gha, _ = _gha(tmp_path)
    assert gha.set_output("result", "line1\nline2")
    text = (tmp_path / "out").read_text()
    match = re.match(r"result<<(ghadelimiter_[0-9a-f]{32})\nline1\nline2\n\1\n$", text)
    assert match


def test_outputs_are_skipped_outside_actions(tmp_path: Path) -> None:
    gha = GitHubActions({}, io.StringIO())
    assert not gha.active
    assert not gha.set_output("x", "y")
    assert not gha.append_summary("# hi")


def test_escaping() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_annotations_are_escaped_and_capped(tmp_path: Path) -> None:
    gha, out = _gha(tmp_path)
    for i in range(12):
        gha.annotate("error", f"bad\nthing {i}", file="dir/a,b.py", line=i + 1, title="t: x")
    gha.annotate("warning", "just one")
    lines = out.getvalue().splitlines()
    assert lines[0] == "::error file=dir/a%2Cb.py,line=1,title=t%3A x::bad%0Athing 0"
    assert sum(1 for ln in lines if ln.startswith("::error")) == 10
    assert gha.dropped["error"] == 2
    assert lines[-1] == "::warning::just one"


def test_summary_is_capped_under_one_mebibyte(tmp_path: Path) -> None:
    gha, _ = _gha(tmp_path)
    big = "".join(f"| row {i} | {'x' * 80} |\n" for i in range(20000))
    gha.append_summary(big, "results.json")
    data = (tmp_path / "summary.md").read_bytes()
    assert len(data) < 1024 * 1024
    assert b"Summary truncated" in data and b"results.json" in data


def test_cap_keeps_small_text() -> None:
    assert cap_markdown("abc\n", 100, "x") == "abc\n"


def test_masking_on_the_way_out(tmp_path: Path) -> None:
    out = io.StringIO()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "o"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "s"),
    }
    gha = GitHubActions(env, out, lambda t: t.replace("SECRET", "***"))
    gha.set_output("x", "SECRET")
    gha.append_summary("SECRET")
    gha.annotate("notice", "SECRET", file="SECRET.py", title="SECRET")
    with gha.group("SECRET"):
        pass
    everything = out.getvalue() + (tmp_path / "o").read_text() + (tmp_path / "s").read_text()
    assert "SECRET" not in everything


def test_event_file_pull_request(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "base": {"sha": "a" * 40},
                    "head": {"sha": "b" * 40},
                    "labels": [{"name": "maestro: run-all"}, {"name": "bug"}],
                }
            }
        )
    )
    gha = GitHubActions({"GITHUB_EVENT_PATH": str(event)}, io.StringIO())
    assert gha.pull_request_range() == ("a" * 40, "b" * 40)
    assert gha.pull_request_labels() == ["bug", "maestro: run-all"]
    assert gha.pull_request_number() == 7
    event.write_text("{not json")
    assert gha.pull_request_range() is None
    assert GitHubActions({}, io.StringIO()).event() == {}


def test_group_and_add_mask(tmp_path: Path) -> None:
    gha, out = _gha(tmp_path)
    gha.add_mask("tok")
    with gha.group("Step"):
        out.write("inside\n")
    assert out.getvalue() == "::add-mask::tok\n::group::Step\ninside\n::endgroup::\n"
