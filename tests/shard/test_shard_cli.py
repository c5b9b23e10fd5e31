"""``maestro-ci shard`` and ``maestro-ci flaky`` through the CLI; the pytest plugin gives the same groups."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from maestro_ci.timing_model import Evidence, TestTiming, TimingStore

PROJECT = {
    "tests/test_a.py": "import pytest\n\n@pytest.fixture(scope='module')\ndef heavy():\n    return 1\n\n"
    + "".join(f"def test_a{i}(heavy):\n    pass\n\n" for i in range(4)),
    "tests/test_b.py": "class TestB:\n"
    + "".join(f"    def test_b{i}(self):\n        pass\n\n" for i in range(3)),
    "tests/test_c.py": "".join(f"def test_c{i}():\n    pass\n\n" for i in range(2)),
    "tests/test_d.py": "import pytest\n\n@pytest.mark.parametrize('n', range(3))\ndef test_d(n):\n    pass\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n")
    store = TimingStore(
        tests={
            "tests/test_a.py::test_a0": TestTiming(runs=1, passed=1, duration=3.0),
            "tests/test_b.py::TestB::test_b1": TestTiming(runs=1, passed=1, duration=2.0),
            "tests/test_d.py::test_d[2]": TestTiming(runs=1, passed=1, duration=1.5),
        }
    )
    (root / ".maestro").mkdir()
    (root / ".maestro/timings.json").write_text(store.model_dump_json())
    return root


class _Grab:
    ids: list[str] | None = None

    def __init__(self) -> None:
        self.files: set[str] = set()  # test files pytest collected (imported)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.nodeid.endswith(".py"):
            self.files.add(report.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.ids = sorted(item.nodeid for item in session.items)


def _inline(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, list[str] | None]:
    """pytest in this process (fast): exit code and the node ids left after collection."""
    code, grab = _run_inline(root, monkeypatch, *args)
    return code, grab.ids


def _run_inline(
    root: Path, monkeypatch: pytest.MonkeyPatch, *args: str, paths: Sequence[str] = ("tests",)
) -> tuple[int, _Grab]:
    """pytest in this process: exit code, node ids left after collection, files collected."""
    monkeypatch.chdir(root)
    grab = _Grab()
    code = pytest.main(
        [
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--import-mode=importlib",
            "--rootdir",
            str(root),
            "-c",
            str(root / "pytest.ini"),
            *args,
            *(str(root / path) for path in paths),
        ],
        plugins=[grab],
    )
    return int(code), grab


def test_plugin_and_cli_give_identical_groups(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 3
    collected = cli("shard", "--shards", str(n), "--collect", "--format", "lines", "--no-record", cwd=project)
    assert collected.code == 0, collected.err
    (project / "tests.txt").write_text(
        "".join(line.split("\t")[1] + "\n" for line in collected.out.splitlines())
    )
    for by in ("file", "test"):
        from_cli = cli(
            "shard",
            "--shards",
            str(n),
            "--tests",
            "tests.txt",
            "--by",
            by,
            "--format",
            "lines",
            "--no-record",
            cwd=project,
        )
        groups: dict[int, list[str]] = {}
        for line in from_cli.out.splitlines():
            k, nodeid = line.split("\t")
            groups.setdefault(int(k), []).append(nodeid)
        if by == "file":
            assert from_cli.out == collected.out  # --collect and --tests plan the same
        for k in range(1, n + 1):
            code, ids = _inline(
                project, monkeypatch, "--collect-only", f"--shard={k}/{n}", f"--shard-by={by}"
            )
            assert code == 0
            assert ids == sorted(groups[k]), (by, k)


def test_empty_shard_runs_nothing_and_exits_0(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, ids = _inline(project, monkeypatch, "--shard", "20/20")
    assert code == 0
    assert ids == []
    assert "empty" in capsys.readouterr().out


def test_plugin_rejects_a_bad_shard(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for bad in ("3", "5/4", "0/0", "a/b"):
        code, _ = _inline(project, monkeypatch, "--shard", bad)
        assert code == 4, bad  # pytest's usage error
        assert "--shard" in capsys.readouterr().err


def test_store_durations_records_the_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".maestro/timings.json").unlink()
    code, _ = _inline(project, monkeypatch, "--maestro-store-durations")
    assert code == 0
    data = json.loads((project / ".maestro/timings.json").read_text())
    assert len(data["tests"]) == 12
    assert data["tests"]["tests/test_d.py::test_d[1]"]["passed"] == 1
    assert data["overhead"] and data["overhead"][0] > 0


def test_plugin_is_inert_without_options(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".maestro/timings.json").write_text("corrupt")  # never read unless asked
    code, ids = _inline(project, monkeypatch)
    assert code == 0 and ids is not None and len(ids) == 12
    assert (project / ".maestro/timings.json").read_text() == "corrupt"


def test_formats(project: Path, cli) -> None:
    matrix = cli("shard", "--shards", "3", "--format", "github-matrix", "--no-record", cwd=project)
    assert json.loads(matrix.out) == {"shard": [1, 2, 3], "total": [3]}
    args = cli(
        "shard", "--shards", "3", "--index", "1", "--format", "pytest-args", "--no-record", cwd=project
    )
    assert args.out.strip() == "tests/test_a.py::test_a0"
    lines = cli("shard", "--shards", "2", "--format", "lines", "--no-record", cwd=project)
    assert all("\t" in line for line in lines.out.splitlines())
    empty = cli(
        "shard", "--shards", "5", "--index", "5", "--format", "pytest-args", "--no-record", cwd=project
    )
    assert empty.out.strip() == "--collect-only -q"
    text = cli("shard", "--shards", "5", "--no-record", cwd=project)
    assert "nothing to run" in text.out
    data = json.loads(cli("shard", "--shards", "2", "--format", "json", "--no-record", cwd=project).out)
    assert data["gate"] == "shard" and len(data["details"]["plan"]["shards"]) == 2
    md = cli("shard", "--shards", "2", "--format", "markdown", "--no-record", cwd=project)
    assert "xychart-beta" in md.out
    no_index = cli("shard", "--shards", "2", "--format", "pytest-args", "--no-record", cwd=project)
    assert no_index.code == 2


@pytest.mark.parametrize(
    ("env", "index", "total"),
    [
        ({"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}, 2, 3),
        ({"CIRCLE_NODE_INDEX": "0", "CIRCLE_NODE_TOTAL": "3"}, 1, 3),
        ({"BUILDKITE_PARALLEL_JOB": "2", "BUILDKITE_PARALLEL_JOB_COUNT": "3"}, 3, 3),
    ],
)
def test_ci_index_and_total(project: Path, cli, monkeypatch: pytest.MonkeyPatch, env, index, total) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    result = cli("shard", "--format", "json", "--no-record", cwd=project)
    data = json.loads(result.out)
    assert data["details"]["index"] == index
    assert data["details"]["plan"]["total"] == total


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--shards", "0"], "at least 1"),
        (["--shards", "2", "--index", "3"], "outside 1..2"),
        ([], "how many shards"),
        (["--max-minutes", "0"], "positive"),
        (["--shards", "2", "--tests", "missing.txt"], "not found"),
        (["--shards", "2", "--plan", "missing.json"], "not found"),
    ],
)
def test_bad_arguments_exit_2(project: Path, cli, args: list[str], words: str) -> None:
    result = cli("shard", *args, "--no-record", cwd=project)
    assert result.code == 2
    assert words in result.err


def test_nothing_to_plan(tmp_path: Path, cli) -> None:
    result = cli("shard", "--shards", "2", "--no-record", cwd=tmp_path)
    assert result.code == 2 and "nothing to plan" in result.err


def test_plan_reuse_with_realised_times_is_recorded(project: Path, cli, tmp_path: Path) -> None:
    (project / "tests.txt").write_text("# planned\ntests/test_a.py::test_a0\ntests/test_c.py::test_c0\n")
    planned = cli(
        "shard", "--shards", "2", "--tests", "tests.txt", "--format", "json", "--no-record", cwd=project
    )
    (tmp_path / "plan.json").write_text(planned.out)
    j1 = tmp_path / "s1.xml"
    j1.write_text(
        '<testsuite time="3.5"><testcase classname="tests.test_a" name="test_a0" time="3"/></testsuite>'
    )
    j2 = tmp_path / "s2.xml"
    j2.write_text('<testsuite><testcase classname="tests.test_c" name="test_c0" time="0.5"/></testsuite>')
    runs = tmp_path / "runs"
    os.environ["MAESTRO_RUN_DIR"] = str(runs)
    os.environ["MAESTRO_RUN_ID"] = "r1"
    try:
        result = cli(
            "shard", "--plan", str(tmp_path / "plan.json"), "--actual", str(j1), str(j2), cwd=project
        )
    finally:
        del os.environ["MAESTRO_RUN_DIR"], os.environ["MAESTRO_RUN_ID"]
    assert result.code == 0, result.err
    recorded = json.loads(next((runs / "r1").glob("shard*.json")).read_text())
    assert [s["realised"] for s in recorded["details"]["plan"]["shards"]] == [3.5, 0.5]
    assert recorded["metrics"]["realised_makespan_s"] == 3.5
    (tmp_path / "bad.json").write_text('{"gate": "x"}')
    bad = cli("shard", "--plan", str(tmp_path / "bad.json"), "--no-record", cwd=project)
    assert bad.code == 2 and "not a shard plan" in bad.err


def test_max_minutes_through_the_cli(project: Path, cli) -> None:
    out = cli("shard", "--max-minutes", "0.06", "--format", "github-matrix", "--no-record", cwd=project)
    assert json.loads(out.out)["total"] == [2]
    slow = cli("shard", "--max-minutes", "0.01", "--no-record", cwd=project)
    assert slow.code == 0 and "fits" in slow.out


def test_flaky_command(tmp_path: Path, cli) -> None:
    store = TimingStore(
        tests={
            "t.py::flaky": TestTiming(
                runs=10,
                passed=8,
                failed=2,
                flaky=2,
                evidence=[Evidence(kind="retry", batch="b1", outcomes=["failed", "passed"])],
            ),
            "t.py::steady": TestTiming(runs=10, passed=10),
            "t.py::new": TestTiming(runs=1, flaky=1),
        }
    )
    (tmp_path / "s.json").write_text(store.model_dump_json())
    result = cli("flaky", "--store", "s.json", "--format", "json", "--no-record", cwd=tmp_path)
    data = json.loads(result.out)
    assert result.code == 0
    assert data["status"] == "warn"
    assert [row["test"] for row in data["details"]["top"]] == ["t.py::flaky"]
    assert data["metrics"]["flake_rate"] == 0.1
    md = cli("flaky", "--store", "s.json", "--format", "markdown", "--no-record", cwd=tmp_path)
    assert "retry: failed → passed" in md.out
    (tmp_path / ".maestro.yml").write_text("timings:\n  flaky_fail_rate: 0.05\n")
    assert cli("flaky", "--store", "s.json", "--no-record", cwd=tmp_path).code == 1
    assert cli("flaky", "--min-runs", "0", "--no-record", cwd=tmp_path).code == 2
    clean = cli("flaky", "--format", "markdown", "--no-record", cwd=tmp_path)
    assert "No flaky tests" in clean.out


def test_plugin_with_a_corrupt_store_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (project / ".maestro/timings.json").write_text("garbage")
    code, _ = _inline(project, monkeypatch, "--shard", "1/2")
    assert code == 4
    assert "corrupt timing store" in capsys.readouterr().err
    assert (project / ".maestro/timings.json.corrupt-1").read_text() == "garbage"


def test_store_flag_is_relative_to_the_current_folder(git_repo, cli) -> None:
    sub = git_repo.path / "sub"
    sub.mkdir()
    (sub / "j.xml").write_text(
        '<testsuite><testcase classname="tests.test_a" name="test_x" time="1"/></testsuite>'
    )
    assert cli("timings", "collect", "j.xml", "--store", "here.json", cwd=sub).code == 0
    assert (sub / "here.json").is_file()
    assert cli("timings", "collect", "j.xml", cwd=sub).code == 0
    assert (git_repo.path / ".maestro/timings.json").is_file()  # the config default is at the root


def test_store_durations_spelling_without_pytest_split(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maestro_ci.plugin_shard as feature

    monkeypatch.setattr(feature, "_pytest_split_installed", lambda: False)
    monkeypatch.setitem(sys.modules, "pytest_split.plugin", None)  # keep pytest-split's own option away
    (project / ".maestro/timings.json").unlink()
    code, _ = _inline(project, monkeypatch, "-p", "no:pytest-split", "--store-durations")
    assert code == 0
    assert (project / ".maestro/timings.json").is_file()


def _plan_file(project: Path, cli, n: int, *args: str) -> dict:
    made = cli("shard", "--shards", str(n), *args, "--format", "json", "--no-record", cwd=project)
    assert made.code == 0, made.err
    (project / "plan.json").write_text(made.out)
    plan: dict = json.loads(made.out)["details"]["plan"]
    return plan


@pytest.mark.parametrize("by", ["file", "test"])
def test_shard_plan_runs_exactly_the_planned_groups(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, by: str, capsys
) -> None:
    plan = _plan_file(project, cli, 3, "--collect", "--by", by)
    (project / ".maestro/timings.json").write_text("corrupt")  # a planned shard never reads the store
    for shard in plan["shards"]:
        code, ids = _inline(project, monkeypatch, f"--shard={shard['index']}/3", "--shard-plan=plan.json")
        assert code == 0
        assert ids == sorted(shard["tests"])
        assert f"plan {plan['digest'][:12]}" in capsys.readouterr().out
    assert (project / ".maestro/timings.json").read_text() == "corrupt"


def test_tests_missing_from_the_plan_still_run_exactly_once(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (project / "tests.txt").write_text("tests/test_a.py::test_a0\ntests/test_b.py::TestB::test_b1\n")
    plan = _plan_file(project, cli, 3, "--tests", "tests.txt")
    holder = {shard["tests"][0].split("::")[0]: shard["index"] for shard in plan["shards"] if shard["tests"]}
    assert sorted(holder) == ["tests/test_a.py", "tests/test_b.py"] and len(set(holder.values())) == 2
    (project / "tests/test_e.py").write_text("".join(f"def test_e{i}():\n    pass\n\n" for i in range(12)))
    seen: list[str] = []
    for k in (1, 2, 3):
        code, grab = _run_inline(project, monkeypatch, f"--shard={k}", "--shard-plan", "plan.json")
        assert code == 0 and grab.ids is not None
        seen += grab.ids
        out = capsys.readouterr().out
        # A planned file is collected only by the shard that holds it, and runs there whole.
        others = {path for path, index in holder.items() if index != k}
        assert not grab.files & others
        assert f"{len(others)} files of other shards not collected" in out
        for path, index in holder.items():
            ran = [nodeid for nodeid in grab.ids if nodeid.startswith(path)]
            assert (index == k) == bool(ran)
        for planned in plan["shards"][k - 1]["tests"]:
            assert planned in grab.ids
        # A file the plan does not know is collected everywhere and spread by node id.
        assert "tests/test_e.py" in grab.files
        # test_c, test_d and test_e everywhere; the unnamed tests of test_a (3) and test_b (2) on their holder.
        unplanned = 2 + 3 + 12 + 3 * (holder["tests/test_a.py"] == k) + 2 * (holder["tests/test_b.py"] == k)
        assert f"{unplanned} collected tests are not in the plan" in out
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 24
    assert {nodeid for nodeid in seen if nodeid.startswith("tests/test_a.py")} == {
        f"tests/test_a.py::test_a{i}" for i in range(4)
    }


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--shard", "1/2", "--shard-plan", "plan.json"], "has 3 shards"),
        (["--shard-plan", "plan.json"], "needs --shard K"),
        (["--shard", "4", "--shard-plan", "plan.json"], "1 <= K <= N"),
        (
            ["--shard", "1/3", "--shard-plan", "plan.json", "--shard-by", "test"],
            "no effect with --shard-plan",
        ),
        (["--shard", "1/3", "--shard-plan", "missing.json"], "missing.json"),
    ],
)
def test_shard_plan_usage_errors(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, capsys, args: list[str], words: str
) -> None:
    _plan_file(project, cli, 3, "--collect")
    code, _ = _inline(project, monkeypatch, *args)
    assert code == 4  # pytest's usage error
    assert words in capsys.readouterr().err


def test_an_edited_plan_is_refused_by_the_plugin_and_the_cli(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _plan_file(project, cli, 2, "--collect")
    data = json.loads((project / "plan.json").read_text())
    moved = data["details"]["plan"]["shards"][0]["tests"].pop()
    data["details"]["plan"]["shards"][1]["tests"].append(moved)
    (project / "plan.json").write_text(json.dumps(data))
    code, _ = _inline(project, monkeypatch, "--shard", "1/2", "--shard-plan", "plan.json")
    assert code == 4
    assert "does not match its digest" in capsys.readouterr().err
    reused = cli("shard", "--plan", "plan.json", "--no-record", cwd=project)
    assert reused.code == 2 and "does not match its digest" in reused.err


def _xdist_run(root: Path, *args: str) -> tuple[int, list[str], str]:
    """pytest -n 2 in a subprocess (xdist needs its own process): exit code, tests run, output."""
    import re
    import subprocess

    argv = [sys.executable, "-m", "pytest", "-v", "-n", "2", "-p", "no:randomly", "-p", "no:cov"]
    argv += ["-c", str(root / "pytest.ini"), "--rootdir", str(root), *args, "tests"]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=120, check=False)
    ran = sorted(set(re.findall(r"\] PASSED (\S+)", done.stdout)))
    return done.returncode, ran, done.stdout + done.stderr


def test_shards_under_xdist_run_their_part_once(project: Path, cli) -> None:
    """With pytest-xdist every worker selects the shard; before, each shard ran the whole suite."""
    plan = _plan_file(project, cli, 3, "--collect", "--by", "file")
    seen: list[str] = []
    for shard in plan["shards"]:
        code, ran, out = _xdist_run(project, f"--shard={shard['index']}", "--shard-plan=plan.json")
        assert code == 0, out
        assert ran == sorted(shard["tests"]), out
        assert (
            f"maestro-ci: shard {shard['index']}/3: {len(ran)} tests, selected by every xdist worker" in out
        )
        seen += ran
    assert len(seen) == 12 == len(set(seen))
    # planning inside the workers gives the same groups as the CLI
    code, ran, out = _xdist_run(project, "--shard=2/3")
    assert code == 0 and ran == sorted(plan["shards"][1]["tests"]), out


def test_empty_shard_and_recording_under_xdist(project: Path, cli) -> None:
    code, ran, out = _xdist_run(project, "--shard=20/20")  # more shards than units: this one is empty
    assert code == 0 and ran == [], out
    before = json.loads((project / ".maestro/timings.json").read_text())
    code, ran, out = _xdist_run(project, "--maestro-store-durations")
    assert code == 0 and len(ran) == 12, out
    after = json.loads((project / ".maestro/timings.json").read_text())
    assert len(after["tests"]) == 12 > len(before["tests"])
    assert after["tests"]["tests/test_c.py::test_c0"]["runs"] == 1  # recorded once, by the controller


def test_a_plan_outside_the_project_names_the_rootdir_trap(project: Path, cli, tmp_path: Path) -> None:
    """``--shard-plan ../plan.json`` as two arguments moves pytest's rootdir; say so, never run a wrong shard."""
    import subprocess

    _plan_file(project, cli, 2, "--collect")
    elsewhere = tmp_path / "artifacts"
    elsewhere.mkdir()
    plan = elsewhere / "plan.json"
    (project / "plan.json").replace(plan)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *args]
        return subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=120, check=False)

    split = run("--shard", "1", "--shard-plan", str(plan))
    assert split.returncode == 4, split.stdout + split.stderr
    message = split.stdout + split.stderr
    assert (
        f"none of the plan's test files (e.g. tests/test_a.py) is under pytest's rootdir {tmp_path}"
        in message
    )
    assert f"they are under {project}" in message and f"--shard-plan={plan}" in message
    joined = run("--shard", "1", f"--shard-plan={plan}")
    assert joined.returncode == 0, joined.stdout + joined.stderr
    assert "maestro-ci: shard 1/2" in joined.stdout and "not in the plan" not in joined.stdout


def test_planned_shards_with_doctest_modules_and_packages(tmp_path: Path, cli, monkeypatch) -> None:
    """Doctests in a package's ``__init__.py`` and in modules: each runs once, on its planned shard."""
    root = tmp_path / "dt"
    files = {
        "pytest.ini": "[pytest]\naddopts = --doctest-modules -p no:cacheprovider -p no:randomly\n",
        "pkg/__init__.py": 'def top():\n    """\n    >>> top()\n    1\n    """\n    return 1\n',
        "pkg/mod.py": 'def f(x):\n    """\n    >>> f(2)\n    4\n    """\n    return x * 2\n',
        **{f"tests/test_{i}.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n" for i in range(3)},
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    made = cli("shard", "--shards", "3", "--collect", "--format", "json", "--no-record", cwd=root)
    assert made.code == 0, made.err
    (root / "plan.json").write_text(made.out)
    plan = json.loads(made.out)["details"]["plan"]
    assert {"pkg/__init__.py::pkg.top", "pkg/mod.py::pkg.mod.f"} <= {
        t for s in plan["shards"] for t in s["tests"]
    }
    seen: list[str] = []
    for shard in plan["shards"]:
        monkeypatch.chdir(root)
        grab = _Grab()
        code = pytest.main([f"--shard={shard['index']}", "--shard-plan=plan.json", "-q"], plugins=[grab])
        assert int(code) == 0 and grab.ids == sorted(shard["tests"])
        seen += grab.ids
        monkeypatch.undo()
        for name, module in list(sys.modules.items()):  # the next shard imports the project afresh
            if str(getattr(module, "__file__", None) or "").startswith(str(root)):
                del sys.modules[name]
    assert len(seen) == 8 == len(set(seen))


def test_files_named_on_the_command_line_are_not_imported_by_other_shards(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    plan = _plan_file(project, cli, 3, "--collect", "--by", "file")
    files = sorted(PROJECT)
    marker = project / "imported.txt"
    for rel in files:  # each test file notes its import
        path = project / rel
        path.write_text(f"open({str(marker)!r}, 'a').write({rel!r} + '\\n')\n" + path.read_text())
    for shard in plan["shards"]:
        marker.write_text("")
        for name in list(sys.modules):  # inline runs before this one imported their own copies
            if name.startswith("tests.test_") and name.rsplit(".", 1)[1] in {Path(f).stem for f in files}:
                monkeypatch.delitem(sys.modules, name)
        code, grab = _run_inline(
            project, monkeypatch, f"--shard={shard['index']}/3", "--shard-plan=plan.json", paths=files
        )
        assert code == 0
        assert grab.ids == sorted(shard["tests"])
        mine = {t.split("::")[0] for t in shard["tests"]}
        assert set(marker.read_text().split()) == mine
        out = capsys.readouterr().out
        assert f"{len(files) - len(mine)} files of other shards not collected" in out
    # A test named inside a file of another shard is still found (and runs where the plan says).
    holder = next(s["index"] for s in plan["shards"] if "tests/test_a.py::test_a0" in s["tests"])
    other = 1 if holder != 1 else 2
    code, grab = _run_inline(
        project,
        monkeypatch,
        f"--shard={other}/3",
        "--shard-plan=plan.json",
        paths=["tests/test_a.py::test_a0"],
    )
    assert code == 0 and grab.ids == []
    code, grab = _run_inline(
        project,
        monkeypatch,
        f"--shard={holder}/3",
        "--shard-plan=plan.json",
        paths=["tests/test_a.py::test_a0"],
    )
    assert code == 0 and grab.ids == ["tests/test_a.py::test_a0"]


def test_in_shard_prediction_adds_the_files_collected_for_other_shards(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from maestro_ci.timing_model import GroupTiming

    store = TimingStore.model_validate_json((project / ".maestro/timings.json").read_text())
    collect = {"tests/test_a.py": 4.0, "tests/test_b.py": 2.0, "tests/test_c.py": 0.5}
    store = store.model_copy(update={"groups": {m: GroupTiming(collect=c) for m, c in collect.items()}})
    (project / ".maestro/timings.json").write_text(store.model_dump_json())
    plan = _plan_file(project, cli, 3, "--collect", "--by", "file")
    for shard in plan["shards"]:
        _inline(project, monkeypatch, f"--shard={shard['index']}/3")
        out = capsys.readouterr().out
        own = {t.split("::")[0] for t in shard["tests"]}
        elsewhere = sum(c for m, c in collect.items() if m not in own)
        assert f"predicted {shard['predicted'] + elsewhere:.1f}s" in out
