"""The streaming reader against junitparser: same cases, same outcomes, same times.

``sources/junit.py`` reads through expat and classifies a test case by its child
elements with ``RESULT_TAGS``; junitparser builds the tree and types the children.
For any report of the common shapes the two must agree case by case.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from xml.sax.saxutils import escape, quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.sources.junit import RESULT_TAGS, read_junit
from maestro_ci.sources.nodeids import node_id, stabilise

CHILDREN = ["failure", "error", "skipped", "system-out", "system-err", "properties", "rerunFailure"]
NAMES = st.text(alphabet="abcXY_.-[]0123 é&<>\"'", min_size=1, max_size=12)


def junitparser_view(path: Path) -> list[tuple[str, str, float]]:
    """(classname, name, outcome, time) per case as junitparser reads the file."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

    xml = JUnitXml.fromfile(str(path))
    out = []
    for suite in [xml] if isinstance(xml, TestSuite) else list(xml):
        for case in suite:
            kinds = [type(r) for r in case.result]
            outcome = (
                "error"
                if Error in kinds
                else "failed"
                if Failure in kinds
                else "skipped"
                if Skipped in kinds
                else "passed"
            )
            nodeid = stabilise(node_id(case.classname or "", case.name or "", "", True))[0]
            out.append((nodeid, outcome, case.time))
    return out


def test_result_tags_are_junitparsers() -> None:
    from junitparser import Error, Failure, Skipped, TestCase

    ours = {Error: "error", Failure: "failed", Skipped: "skipped"}
    theirs = {tag: ours[cls] for tag, cls in TestCase.ITER_TYPES.items() if cls in ours}
    assert theirs == RESULT_TAGS


case_strategy = st.tuples(
    NAMES,
    NAMES,
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
    st.lists(st.sampled_from(CHILDREN), max_size=4),
    st.text(alphabet="ab <>&\n", max_size=20),
)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.lists(case_strategy, min_size=1, max_size=6), min_size=1, max_size=3),
    st.booleans(),
)
def test_stream_reader_agrees_with_junitparser(
    suites: list[list[tuple[str, str, float, list[str], str]]], wrapped: bool
) -> None:
    def case_xml(classname: str, name: str, seconds: float, children: list[str], text: str) -> str:
        inner = "".join(f"<{tag} message={quoteattr(text)}>{escape(text)}</{tag}>" for tag in children)
        return f"<testcase classname={quoteattr(classname)} name={quoteattr(name)} time={quoteattr(repr(seconds))}>{inner}</testcase>"

    parts = [
        f'<testsuite name="pytest" tests="{len(cases)}">'
        + "".join(case_xml(*c) for c in cases)
        + "</testsuite>"
        for cases in suites
    ]
    body = f"<testsuites>{''.join(parts)}</testsuites>" if wrapped or len(parts) > 1 else parts[0]
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xml"
        path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + body, encoding="utf-8")
        ours = [(c.nodeid, c.outcome, c.time) for c in read_junit(path, python=True).cases]
        assert ours == junitparser_view(path)
