"""``secrets scan`` text output: findings on stdout, a one-line note on stderr when clean."""

from __future__ import annotations

from pathlib import Path


def test_clean_scan_notes_on_stderr_only(cli, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# notes\n", encoding="utf-8")
    res = cli("secrets", "scan", "a.py", "b.md", "--no-record", "-C", str(tmp_path))
    assert res.code == 0
    assert res.out == ""
    assert res.err == "no secrets found in 2 file(s)\n"


def test_findings_keep_stdout_to_lines_and_stderr_quiet(cli, tmp_path: Path) -> None:
    (tmp_path / "k.py").write_text("x = 1\napi_key = 'Zq8wXv2mNp4rTs6u'\n", encoding="utf-8")
    res = cli("secrets", "scan", "k.py", "--no-record", "-C", str(tmp_path))
    assert res.code == 1
    assert res.out == "k.py:2: password-assignment\n"
    assert "no secrets found" not in res.err


def test_other_formats_have_no_note(cli, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    for fmt in ("lines", "json", "markdown"):
        res = cli("secrets", "scan", "a.py", "--no-record", "--format", fmt, "-C", str(tmp_path))
        assert res.code == 0
        assert "no secrets found" not in res.err
