"""Bad JUnit input: one clear message, exit 2, nothing stored touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestro_ci.errors import InputError
from maestro_ci.sources.junit import parse_time, read_junit, read_test_durations

GOOD = '<testsuite name="pytest" time="1.0"><testcase classname="tests.test_a" name="test_x" time="0.5"/></testsuite>'

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuite name="x"><testcase classname="a" name="&lol3;" time="1"/></testsuite>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<testsuite name="x"><testcase classname="a" name="&xxe;" time="1"/></testsuite>"""

CASES = {
    "truncated": (GOOD[:60], "truncated"),
    "html": ("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "HTML page"),
    "empty": ("", "empty"),
    "billion_laughs": (BILLION_LAUGHS, "unsafe XML refused"),
    "xxe": (XXE, "unsafe XML refused"),
    "negative": (GOOD.replace('time="0.5"', 'time="-1"'), "not a valid duration"),
    "nan": (GOOD.replace('time="0.5"', 'time="NaN"'), "not a valid duration"),
    "words": (GOOD.replace('time="0.5"', 'time="fast"'), "not a number"),
    "wrong_root": ("<coverage><package/></coverage>", "root element is <coverage>"),
    "no_name": ('<testsuite><testcase classname="a" time="1"/></testsuite>', "no name"),
    "duplicate": (
        '<testsuite><testcase classname="tests.test_a" name="test_x"/>'
        '<testcase classname="tests.test_a" name="test_x"/></testsuite>',
        "duplicate test id",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_junit_is_exit_2_with_a_message_and_store_untouched(name: str, tmp_path: Path, cli) -> None:
    text, words = CASES[name]
    junit = tmp_path / "junit.xml"
    junit.write_text(text, encoding="utf-8")
    store = tmp_path / "timings.json"
    good = tmp_path / "good.xml"
    good.write_text(GOOD, encoding="utf-8")
    assert cli("timings", "collect", str(good), "--store", str(store), cwd=tmp_path).code == 0
    before = store.read_bytes()
    result = cli("timings", "collect", str(junit), "--store", str(store), cwd=tmp_path)
    assert result.code == 2, result.err
    assert words in result.err
    assert str(junit) in result.err
    assert "Traceback" not in result.err
    assert store.read_bytes() == before


def test_directory_is_refused(tmp_path: Path, cli) -> None:
    result = cli("timings", "collect", str(tmp_path), "--store", str(tmp_path / "s.json"), cwd=tmp_path)
    assert result.code == 2
    assert "found a directory" in result.err


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_junit(tmp_path / "nope.xml")


def test_truncated_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    path.write_text('<testsuite>\n<testcase name="a"', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_junit(path)
    assert info.value.place and info.value.place.startswith("line 2")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1.5", 1.5),
        ("1,5", 1.5),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        (" 2s ", 2.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_time_formats(text: str | None, seconds: float | None) -> None:
    assert parse_time(text, "here", "f.xml") == seconds


def test_test_durations_must_be_an_object_of_numbers(tmp_path: Path) -> None:
    path = tmp_path / ".test_durations"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="JSON object"):
        read_test_durations(path)
    path.write_text(json.dumps({"t.py::a": "slow"}), encoding="utf-8")
    with pytest.raises(InputError, match="not a number"):
        read_test_durations(path)
    path.write_text(json.dumps({"t.py::a": -3}), encoding="utf-8")
    with pytest.raises(InputError, match="not a valid duration"):
        read_test_durations(path)


def test_big_system_out_streams(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    blob = "x" * 200_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<testsuites><testsuite name="pytest" time="100">')
        for i in range(300):
            handle.write(
                f'<testcase classname="tests.test_big" name="test_{i}" time="0.1"><system-out>{blob}</system-out></testcase>'
            )
        handle.write("</testsuite></testsuites>")
    report = read_junit(path)
    assert len(report.cases) == 300
    assert report.cases[-1].nodeid == "tests/test_big.py::test_299"
    assert report.overhead == [pytest.approx(70.0)]


def test_a_declared_single_byte_encoding_is_decoded(tmp_path: Path) -> None:
    """expat knows only UTF-8/16, Latin-1 and ASCII; other declared encodings go through Python's codecs."""
    path = tmp_path / "cp.xml"
    text = '<?xml version="1.0" encoding="windows-1252"?>\n<testsuite name="pytest"><testcase classname="tests.test_a" name="test_caf\u00e9\u2019s" time="0.5"/></testsuite>'
    path.write_bytes(text.encode("cp1252"))
    (case,) = read_junit(path).cases
    assert case.nodeid == "tests/test_a.py::test_caf\u00e9\u2019s"


def test_an_unknown_or_violated_encoding_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="klingon-8"?><testsuite/>')
    with pytest.raises(InputError, match="unknown XML encoding 'klingon-8'") as info:
        read_junit(path)
    assert info.value.place and "declaration" in info.value.place
    path.write_bytes(b'<?xml version="1.0" encoding="shift_jis"?><testsuite name="\x81"/>')
    with pytest.raises(InputError, match="not valid shift_jis text"):
        read_junit(path)
    path.write_bytes(b'<?xml version="1.0" encoding="utf-8"?><testsuite name="\xff"/>')
    with pytest.raises(InputError, match="not well-formed XML"):
        read_junit(path)
