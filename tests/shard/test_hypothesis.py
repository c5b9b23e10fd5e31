"""Property tests: random input to the parsers gives a result or an InputError, never a traceback."""

from __future__ import annotations

import math
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.errors import InputError
from maestro_ci.jobs.shard import plan
from maestro_ci.sources.junit import parse_time, read_junit, read_test_durations
from maestro_ci.sources.nodeids import node_id, stabilise
from maestro_ci.timing_model import GroupTiming, TestTiming, TimingStore

XMLISH = st.text(alphabet=st.sampled_from(list("<>/=\"' &;!?-[]abtestuicn0123456789.,\n")), max_size=300)


@settings(max_examples=150, deadline=None)
@given(st.one_of(XMLISH, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_read_junit_never_crashes(text: str) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.xml"
        path.write_text(text, encoding="utf-8")
        try:
            report = read_junit(path)
        except InputError as exc:
            assert exc.message and exc.file == str(path)
        else:
            assert all(c.outcome in ("passed", "failed", "error", "skipped") for c in report.cases)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefABC._", min_size=1, max_size=20),
            st.text(alphabet="abc_[]0x7f-", min_size=1, max_size=20),
            st.one_of(
                st.none(), st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=6)
            ),
        ),
        max_size=8,
    )
)
def test_generated_testsuites_parse_or_explain(cases: list[tuple[str, str, str | None]]) -> None:
    from xml.sax.saxutils import quoteattr

    body = "".join(
        f"<testcase classname={quoteattr(c)} name={quoteattr(n)}"
        + (f" time={quoteattr(t)}" if t is not None else "")
        + "/>"
        for c, n, t in cases
    )
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.xml"
        path.write_text(f'<testsuite name="pytest">{body}</testsuite>', encoding="utf-8")
        try:
            report = read_junit(path)
        except InputError as exc:
            assert exc.message
        else:
            assert len(report.cases) == len(cases)
            assert all(c.time is None or (c.time >= 0 and math.isfinite(c.time)) for c in report.cases)


@given(st.text(max_size=30))
def test_parse_time_returns_a_duration_or_explains(text: str) -> None:
    try:
        value = parse_time(text, "here", "f.xml")
    except InputError as exc:
        assert "time" in exc.message
    else:
        assert value is None or (value >= 0 and math.isfinite(value))


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=20))
def test_node_id_is_total(classname: str, name: str, file: str) -> None:
    nodeid = node_id(classname, name, file)
    stable, _ = stabilise(nodeid)
    assert stabilise(stable) == (stable, [])  # stabilising is idempotent


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=10), st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none())
    )
)
def test_test_durations_reader(data: dict[str, object]) -> None:
    import json

    with TemporaryDirectory() as tmp:
        path = Path(tmp) / ".test_durations"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            report = read_test_durations(path)
        except InputError as exc:
            assert exc.message
        else:
            assert len(report.cases) == len(data)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"tests/m[0-3]/test_[a-c]\.py::(Test[AB]::)?test_[a-z]{1,3}", fullmatch=True),
        st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=1, max_value=9),
    st.sampled_from(["file", "class", "test"]),
    st.dictionaries(
        st.from_regex(r"tests/m[0-3]/test_[a-c]\.py(::Test[AB])?", fullmatch=True),
        st.tuples(st.floats(min_value=0, max_value=50), st.floats(min_value=0, max_value=50)),
        max_size=8,
    ),
)
def test_plan_places_every_test_once_and_respects_the_bound(
    tests: dict[str, float | None], n: int, by: str, groups: dict[str, tuple[float, float]]
) -> None:
    store = TimingStore(
        tests={k: TestTiming(runs=1, duration=v) for k, v in tests.items()},
        groups={k: GroupTiming(setup=setup, collect=collect) for k, (setup, collect) in groups.items()},
    )
    p = plan(list(tests), store, n, by)
    placed = sorted(t for s in p.shards for t in s.tests)
    assert placed == sorted(tests)
    assert p.predicted_makespan + 1e-6 >= p.lower_bound
    assert p.useful == sum(1 for s in p.shards if s.tests) >= 1
    # LPT bound: makespan <= lower bound + largest unit (nothing got stuck behind a heavy shard)
    assert p.predicted_makespan <= p.total_work + p.fixed_cost + 1e-6


@given(st.text(alphabet="0123456789abcdefx-:T.Z+[] ", max_size=48))
def test_stabilise_shortcuts_change_nothing(params: str) -> None:
    """The length and combined-pattern shortcuts give what applying every pattern gives."""
    from maestro_ci.sources.nodeids import VOLATILE_PATTERNS, split_params

    nodeid = f"tests/test_a.py::test_x[{params}]"
    _, tail = split_params(nodeid.rsplit("::", 1)[-1])
    found: list[str] = []
    stable = tail
    for kind, pattern in VOLATILE_PATTERNS:  # the plain algorithm: every pattern, one after another
        if tail and pattern.search(stable):
            found.append(kind)
            stable = pattern.sub(f"<{kind}>", stable)
    expected = (nodeid[: len(nodeid) - len(tail)] + stable, found) if found else (nodeid, [])
    assert stabilise(nodeid) == expected


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 5) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
PLANISH = st.fixed_dictionaries(
    {
        "total": st.integers(-1, 4),
        "shards": st.lists(
            JSONISH
            | st.fixed_dictionaries(
                {
                    "index": st.integers(0, 4),
                    "tests": st.lists(st.text(max_size=6) | st.integers(), max_size=4),
                    "predicted": JSONISH,
                }
            ),
            max_size=4,
        ),
    },
    optional={"digest": JSONISH, "schema_version": JSONISH, "details": JSONISH},
)


@settings(max_examples=200, deadline=None)
@given(JSONISH | PLANISH)
def test_plan_file_reader_checks_or_explains(data: object) -> None:
    import json

    from maestro_ci.sources.plan_file import read_assignment

    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(data))
        try:
            found = read_assignment(path)
        except InputError as exc:
            assert exc.message and exc.file == str(path)
        else:
            assert len(found.predicted) == found.total >= 1
            assert all(1 <= index <= found.total for index in found.shard_of.values())
            for nodeid in ("tests/test_new.py::test_x", *found.shard_of):
                assert 1 <= found.shard_for(nodeid)[0] <= found.total


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=40), st.integers(1, 6))
def test_pack_without_fixture_groups_is_plain_lpt(costs: list[int], n: int) -> None:
    from maestro_ci.jobs.shard import pack
    from maestro_ci.jobs.shard_cost import Unit

    units = [Unit(f"u{i}", cost) for i, cost in enumerate(costs)]
    packed = pack(units, n, {})
    loads, where = [0] * n, []
    for unit in units:  # the textbook rule: the least-loaded shard, ties to the lowest index
        best = min(range(n), key=lambda s: (loads[s], s))
        loads[best] += unit.cost
        where.append(best)
    assert packed.loads == loads
    assert [[u.key for u in m] for m in packed.members] == [
        [u.key for u, s in zip(units, where, strict=True) if s == shard] for shard in range(n)
    ]


_NODEIDS = st.builds(
    lambda folder, name, test: f"{folder}/test_{name}.py::test_{test}",
    st.sampled_from(["tests", "tests/sub", "other"]),
    st.sampled_from("abcdef"),
    st.sampled_from(["x", "y", "z", "w[1]", "w[2]"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_NODEIDS, unique=True, max_size=20), st.lists(_NODEIDS, max_size=20), st.integers(1, 5))
def test_every_test_runs_on_a_shard_that_collects_its_file(
    planned: list[str], collected: list[str], total: int
) -> None:
    """Shard K skips the files the plan gives only to other shards; no test may be lost by that."""
    from maestro_ci.sources.nodeids import module_of
    from maestro_ci.sources.plan_file import PlanAssignment

    shard_of = {nodeid: position % total + 1 for position, nodeid in enumerate(planned)}
    found = PlanAssignment(total, "", (0.0,) * total, shard_of)
    for nodeid in [*planned, *collected]:
        index, named = found.shard_for(nodeid)
        assert named == (nodeid in shard_of)
        path = module_of(nodeid)
        # shard `index` collects the file: it holds a planned test of it, or the plan does not know it
        assert path in found.files_of(index) or path not in found.first_shard_of_file
        if named:
            assert index == shard_of[nodeid]
