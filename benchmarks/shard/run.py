"""Shard benchmark: planned and realised balance against pytest-split, planner speed, JUnit ingest.

    python benchmarks/shard/run.py [--reps 3] [--quick]

Suites (sdists downloaded from PyPI with ``pip download --no-deps --no-binary :all:`` into
benchmarks/_work/shard/, never committed):
- mpmath 1.3.0 (``mpmath/tests``, no doctests): one dominant test, test_bessel_zeros_extra, is
  about 40 % of the serial time, so beyond N = 2 the longest test is the bound;
- statsmodels 0.15.0 (``discrete/tests/test_count_model.py`` and ``test_truncated_model.py``, from
  the wheel, whose tests ship inside the package): heavy class-scoped fixtures, ``setup_class``
  fitting models for up to 9 s, about 20 s of the 34 s run; needs the bench extra (pandas, patsy);
- pygments 2.18.0 (``tests``, without the contrast test that needs an extra package): 4,400 tests,
  most of them lexer runs over example files, module-scoped lexer fixtures;
- idna 3.7: a real one-second suite with one dominant test, where start-up is most of a shard;
- fixture-heavy: a synthetic project generated here (modules with expensive module-scoped
  fixtures), the module-scoped counterpart of statsmodels' class fixtures.

For each suite one recorded run feeds both tools (our plugin's --maestro-store-durations and
pytest-split's --store-durations in the same pytest process). Planned: every plan is costed with the
same model (test medians + fixture setup per shard + module collection per shard that collects it +
per-shard fixed cost) against the same lower bound. Realised: every shard runs as its own pytest
process, one after the other (as separate CI runners would, without competing for this machine's
cores); the slowest shard's wall time is compared with the ideal, serial wall time / N. Ours runs twice: shards reading one plan file made
by a planning step (the CI layout in docs/shard.md), and shards that plan for themselves.

Each suite's rows are saved to benchmarks/_work/shard/<suite>.rows.json as soon as they are
measured; ``--suites a,b`` measures only those and takes the others from their saved rows.
``--ingest-only`` re-measures only the JUnit ingest table; ``--planned-only`` re-costs only the
planned tables from each suite's last recorded run (after a change to the cost model or the
bound). The "Reading the numbers" paragraph in RESULTS.md is written by hand after a run, from
the numbers of that run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ROOT, WORK, write_results

HERE = WORK / "shard"
PY = sys.executable
NS = (2, 4, 8)
ALGOS = ("maestro-ci", "least_duration", "duration_based_chunks")
PLANNED = ("maestro-ci", "maestro-ci --by file", *ALGOS[1:])
# realised: ours twice, planned once for the run (the plan file every shard reads) and in every shard
PLAN_FILE = "maestro-ci --shard-plan"
REALISED = (PLAN_FILE, *ALGOS)


@dataclass
class Suite:
    name: str
    pin: str | None
    args: list[str]
    folder: Path = field(default_factory=Path)
    wheel: bool = False  # tests ship inside the package: unpack the wheel, not the sdist
    min_reps: int = 0  # at least this many repetitions (half-second shards need more than 3)


def fetch(pin: str, wheel: bool = False) -> Path:
    """The project's published sdist, unpacked; or, for a package whose tests ship inside it
    (statsmodels), its wheel's package folder, which shadows the installed copy (pytest runs
    with the suite folder first on sys.path)."""
    import zipfile

    name, version = pin.split("==")
    target = HERE / f"{name}-{version}"
    if target.is_dir():
        return target
    kind = "wheels" if wheel else "sdists"
    downloads = HERE / kind
    downloads.mkdir(parents=True, exist_ok=True)
    only = ["--only-binary", ":all:"] if wheel else ["--no-binary", ":all:"]
    subprocess.run(
        [PY, "-m", "pip", "download", "-q", "--no-deps", *only, pin, "-d", str(downloads)], check=True
    )
    if wheel:
        with zipfile.ZipFile(next(downloads.glob(f"{name}-{version}-*.whl"))) as archive:
            archive.extractall(target, [m for m in archive.namelist() if m.startswith(f"{name}/")])
    else:
        with tarfile.open(next(downloads.glob(f"{name}-{version}.tar.gz"))) as tar:
            tar.extractall(HERE, filter="data")
    return target


def synthetic_fixture_heavy() -> Path:
    """A project whose modules share expensive module-scoped fixtures (deterministic)."""
    root = HERE / "fixture-heavy"
    tests = root / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    rng = random.Random(4)
    for m in range(8):
        setup = round(rng.uniform(0.3, 1.0), 2)
        count = rng.randint(4, 12)
        body = [
            "import time\n\nimport pytest\n\n",
            "@pytest.fixture(scope='module')\ndef service():\n",
            f"    time.sleep({setup})  # start a database / load a model\n    yield object()\n\n",
        ]
        for t in range(count):
            body.append(
                f"def test_{m}_{t}(service):\n    time.sleep({round(rng.uniform(0.01, 0.12), 3)})\n\n"
            )
        (tests / f"test_service_{m}.py").write_text("".join(body))
    for m in range(4):
        body = ["import time\n\n"]
        body += [f"def test_plain_{m}_{t}():\n    time.sleep(0.05)\n\n" for t in range(6)]
        (tests / f"test_plain_{m}.py").write_text("".join(body))
    return root


def pytest_run(suite: Suite, *extra: str) -> float:
    argv = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:cov"]
    argv += ["-p", "no:xdist"]  # one process per shard, as the runners of the comparison are
    argv += [
        "--rootdir",
        str(suite.folder),
        "-c",
        str(suite.folder / "bench-pytest.ini"),
        *suite.args,
        *extra,
    ]
    # one thread per BLAS: each shard is one process on its own runner, not two cores shared
    env = {**os.environ, **dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")}
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=suite.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env
    )
    return time.perf_counter() - start


def store_arg(suite: Suite) -> list[str]:
    return ["--timings-store", str(suite.folder / ".maestro" / "timings.json")]


def record(suite: Suite) -> tuple[list[str], dict[str, float]]:
    (suite.folder / "bench-pytest.ini").write_text("[pytest]\n")
    for stale in (".maestro/timings.json", ".test_durations"):
        (suite.folder / stale).unlink(missing_ok=True)
    pytest_run(
        suite,
        "--maestro-store-durations",
        "--store-durations",
        "--durations-path",
        ".test_durations",
        *store_arg(suite),
    )
    durations = json.loads((suite.folder / ".test_durations").read_text())
    return sorted(durations), durations


def planned(suite: Suite, tests: list[str], durations: dict[str, float], n: int) -> dict[str, float]:
    from pytest_split.algorithms import Algorithms

    from maestro_ci.jobs.shard import plan
    from maestro_ci.jobs.shard_cost import US, estimate_tests, to_us
    from maestro_ci.sources.nodeids import class_of, module_of
    from maestro_ci.sources.timing_store import load_store

    store = load_store(suite.folder / ".maestro/timings.json")
    ours = plan(tests, store, n, "test")  # what the realised runs use: --shard-by test
    by_file = plan(tests, store, n, "file")  # the default, modules kept whole
    est = estimate_tests(tests, store, 1.0, None)
    # a pytest-split shard collects every file; ours (from the plan file) only its own
    collect = {m: to_us(g.collect) for m, g in store.groups.items()}
    everywhere = sum(collect.get(m, 0) for m in {module_of(t) for t in tests})

    def cost(groups: list[list[str]], collects_all: bool = False) -> float:
        worst = 0
        for names in groups:
            if not names:
                continue
            touched = {g for t in names for g in (module_of(t), class_of(t)) if g in est.setup}
            total = est.fixed + sum(est.tests[t] for t in names) + sum(est.setup[g] for g in touched)
            if collects_all:  # its own modules' collection is in est.setup already
                total += everywhere - sum(collect.get(m, 0) for m in {module_of(t) for t in names})
            worst = max(worst, total)
        return worst / US

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    items = [Item(t) for t in tests]
    out = {
        "maestro-ci": cost([s.tests for s in ours.shards]),
        "maestro-ci --by file": cost([s.tests for s in by_file.shards]),
        "bound": ours.lower_bound,
    }
    for algo in ALGOS[1:]:
        groups = Algorithms[algo].value(n, items, durations)
        out[algo] = cost([[i.nodeid for i in g.selected] for g in groups], collects_all=True)
    return out


def plan_file(suite: Suite, tests: list[str], n: int) -> tuple[Path, float]:
    """The planning job: ``maestro-ci shard --format json`` once for the run; its wall time."""
    listed = suite.folder / "bench-tests.txt"
    listed.write_text("".join(t + "\n" for t in tests), encoding="utf-8")
    out = suite.folder / f"bench-plan-{n}.json"
    argv = [PY, "-m", "maestro_ci", "shard", "--shards", str(n), "--by", "test", "--tests", str(listed)]
    argv += ["--store", str(suite.folder / ".maestro" / "timings.json"), "--format", "json", "--no-record"]
    start = time.perf_counter()
    made = subprocess.run(argv, cwd=suite.folder, capture_output=True, text=True, check=True)
    took = time.perf_counter() - start
    out.write_text(made.stdout, encoding="utf-8")
    return out, took


def shard_argv(suite: Suite, algo: str, k: int, n: int, plan: Path) -> list[str]:
    if algo == PLAN_FILE:
        return [f"--shard={k}/{n}", f"--shard-plan={plan}"]
    if algo == "maestro-ci":
        return [f"--shard={k}/{n}", "--shard-by=test", *store_arg(suite)]
    return [
        "--splits",
        str(n),
        "--group",
        str(k),
        "--splitting-algorithm",
        algo,
        "--durations-path",
        ".test_durations",
    ]


def realised(suite: Suite, n: int, plan: Path, rep: int) -> dict[str, float]:
    """Slowest shard wall time for every way, shards of all ways interleaved.

    Shard k of every way runs before shard k+1 of any, and the order of the ways rotates with k
    and the repetition: a slow minute on the machine lands on all of them alike, not on whichever
    way happened to be running, and none is always first after another's page-cache warm-up.
    """
    walls: dict[str, list[float]] = {a: [] for a in REALISED}
    for k in range(1, n + 1):
        turn = (k + rep) % len(REALISED)
        for algo in REALISED[turn:] + REALISED[:turn]:
            walls[algo].append(pytest_run(suite, *shard_argv(suite, algo, k, n, plan)))
    return {a: max(w) for a, w in walls.items()}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def planned_rows(suite: Suite, tests: list[str], durations: dict[str, float]) -> list[str]:
    rows = []
    for n in NS:
        p = planned(suite, tests, durations, n)
        rows.append(
            f"| {suite.name} | {n} | {p['bound']:.2f} | "
            + " | ".join(f"{p[a]:.2f} ({p[a] / p['bound']:.3f})" for a in PLANNED)
            + " |"
        )
    return rows


def recorded(suite: Suite) -> tuple[list[str], dict[str, float]]:
    """The last recorded run of a suite (what ``record`` left), without running it again."""
    durations = json.loads((suite.folder / ".test_durations").read_text())
    return sorted(durations), durations


def bench_suite(suite: Suite, reps: int) -> tuple[list[str], list[str]]:
    tests, durations = record(suite)
    plan_rows, real_rows = planned_rows(suite, tests, durations), []
    for n in NS:
        ratios: dict[str, list[float]] = {a: [] for a in REALISED}
        planning = []
        for rep in range(reps):
            made, took = plan_file(suite, tests, n)
            planning.append(took)
            serial = pytest_run(suite)
            for algo, slowest in realised(suite, n, made, rep).items():
                ratios[algo].append(slowest / (serial / n))
        real_rows.append(
            f"| {suite.name} | {n} | {statistics.median(planning):.2f} | "
            + " | ".join(spread(ratios[a]) for a in REALISED)
            + " |"
        )
        print(real_rows[-1], flush=True)
    return plan_rows, real_rows


def bench_planner() -> str:
    from pytest_split.algorithms import Algorithms

    from maestro_ci.jobs.shard import plan
    from maestro_ci.timing_model import TestTiming, TimingStore

    rng = random.Random(1)
    tests = [f"tests/pkg{i // 2000}/test_mod{i // 25}.py::test_{i}" for i in range(100_000)]
    store = TimingStore(tests={t: TestTiming(runs=1, duration=round(rng.expovariate(2), 4)) for t in tests})
    durations = {t: store.tests[t].duration or 0.0 for t in tests}

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    items = [Item(t) for t in tests]
    rows = []
    for label, fn in (
        ("maestro-ci --by file", lambda: plan(tests, store, 64, "file")),
        ("maestro-ci --by test", lambda: plan(tests, store, 64, "test")),
        ("pytest-split least_duration", lambda: Algorithms.least_duration.value(64, items, durations)),
        (
            "pytest-split duration_based_chunks",
            lambda: Algorithms.duration_based_chunks.value(64, items, durations),
        ),
    ):
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        rows.append(f"| {label} | {statistics.median(samples):.3f} |")
    return "\n".join(["| planner (100,000 tests, 64 shards) | median s (3 runs) |", "|---|---:|", *rows])


INGEST = """
import sys, time
from pathlib import Path
path = Path(sys.argv[2])
start = time.perf_counter()
if sys.argv[1] == "maestro-ci":
    from maestro_ci.sources.junit import read_junit
    n = len(read_junit(path).cases)
elif sys.argv[1] == "junitparser":
    from junitparser import JUnitXml
    n = sum(1 for suite in JUnitXml.fromfile(str(path)) for case in suite)
else:  # what an ingest needs from each case: its identity, time and result
    from junitparser import JUnitXml
    n = 0
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            n += bool((case.classname, case.name, case.time, [r.__class__ for r in case.result]))
took = time.perf_counter() - start
# VmHWM: this process's peak RSS (ru_maxrss would include the parent's, kept across exec)
hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
print(n, took, int(hwm.split()[1]) / 1024)
"""


def bench_ingest() -> str:
    path = HERE / "big-junit.xml"
    if not path.exists() or path.stat().st_size < 100_000_000:
        out = "x" * 900
        with path.open("w", encoding="utf-8") as handle:
            handle.write(
                '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" time="9999">'
            )
            i = 0
            while handle.tell() < 100_000_000:
                handle.write(
                    f'<testcase classname="tests.pkg{i % 50}.test_mod{i % 900}" name="test_{i}[p{i % 7}]" '
                    f'time="{(i % 97) / 100}"><system-out>{out}</system-out></testcase>'
                )
                i += 1
            handle.write("</testsuite></testsuites>")
    size = path.stat().st_size / 1e6
    rows = [
        f"| JUnit ingest, {size:.0f} MB | cases | median s (3 runs) | peak RSS MB |",
        "|---|---:|---:|---:|",
    ]
    labels = {
        "maestro-ci": "maestro-ci read_junit (pyexpat guarded by defusedxml, streamed; node ids, times, results)",
        "junitparser": "junitparser JUnitXml.fromfile (lxml) + iterate cases",
        "junitparser-fields": "junitparser, also reading each case's classname, name, time and result",
    }
    for tool, label in labels.items():
        runs = []
        for _ in range(3):
            proc = subprocess.run(
                [PY, "-c", INGEST, tool, str(path)], capture_output=True, text=True, check=True
            )
            n, took, rss = proc.stdout.split()
            runs.append((float(took), float(rss), int(n)))
        rows.append(
            f"| {label} | {runs[0][2]} | {statistics.median(r[0] for r in runs):.2f} | "
            f"{max(r[1] for r in runs):.0f} |"
        )
    return "\n".join(rows)


def ingest_only() -> None:
    section = bench_ingest()
    path = ROOT / "benchmarks" / "shard" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("| JUnit ingest")
    end = text.index("\n\n", start)
    path.write_text(text[:start] + section + text[end:], encoding="utf-8")
    print(section)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one suite, one repetition (smoke test)")
    parser.add_argument("--suites", help="measure only these (first words of the names, comma-separated)")
    parser.add_argument(
        "--planned-only",
        action="store_true",
        help="re-cost only the planned tables, from each suite's last recorded run; keep the realised rows",
    )
    args = parser.parse_args()
    HERE.mkdir(parents=True, exist_ok=True)
    discrete = "statsmodels/discrete/tests"
    suites = [
        Suite("mpmath 1.3.0", "mpmath==1.3.0", ["mpmath/tests", "-p", "no:doctest"]),
        Suite(
            "statsmodels 0.15.0",
            "statsmodels==0.15.0",
            [f"{discrete}/test_count_model.py", f"{discrete}/test_truncated_model.py", "-W", "ignore"],
            wheel=True,
        ),
        Suite("pygments 2.18.0", "pygments==2.18.0", ["tests", "--ignore=tests/contrast"]),
        Suite("fixture-heavy (synthetic)", None, ["tests"]),
        Suite("idna 3.7", "idna==3.7", ["tests"], min_reps=10),
    ]
    wanted = {s.name.split()[0] for s in suites} if args.suites is None else set(args.suites.split(","))
    if args.planned_only:
        wanted = set()
    if args.quick:
        wanted, args.reps = {"fixture-heavy"}, 1
    plan_rows: list[str] = []
    real_rows: list[str] = []
    for suite in suites:
        saved = HERE / f"{suite.name.split()[0]}.rows.json"
        if suite.name.split()[0] in wanted:
            suite.folder = fetch(suite.pin, suite.wheel) if suite.pin else synthetic_fixture_heavy()
            p, r = bench_suite(suite, max(args.reps, suite.min_reps))
            saved.write_text(json.dumps({"planned": p, "realised": r}), encoding="utf-8")
        elif saved.exists():
            rows = json.loads(saved.read_text(encoding="utf-8"))
            p, r = rows["planned"], rows["realised"]
            if args.planned_only:
                suite.folder = fetch(suite.pin, suite.wheel) if suite.pin else synthetic_fixture_heavy()
                p = planned_rows(suite, *recorded(suite))
                saved.write_text(json.dumps({"planned": p, "realised": r}), encoding="utf-8")
        else:
            continue
        plan_rows += p
        real_rows += r
    import pytest_split

    version = getattr(pytest_split, "__version__", None) or _dist_version("pytest-split")
    head = " | ".join(REALISED)
    md = f"""## Shard balance (maestro-ci vs pytest-split {version})

Planned: predicted slowest shard in seconds (and its ratio to the lower bound), every plan costed
with the same model: stored test medians, fixture setup once per shard that runs part of a module,
each module's collection once per shard that collects it (ours, run from the plan file: its own
files; pytest-split: every file), and the measured per-shard fixed cost (start-up). Lower bound =
fixed cost + max(total work / N, the costliest test with its module's and class's setup and
collection).
"maestro-ci" is `--by test` (file, class and test plans costed, the cheapest kept); "--by file" is
the default, which never splits a module.

| suite | N | lower bound (s) | {" | ".join(PLANNED)} |
|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(plan_rows)}

Realised: slowest shard wall time / ideal (serial wall time / N), each shard its own pytest
process; median of {args.reps} repetitions (idna: at least 10, its shards last half a second)
with (min–max). Lower is better; 1.00 is the ideal. Ours runs two ways: "--shard-plan" is the
CI layout of docs/shard.md, a planning step (`maestro-ci shard --by test --tests LIST --format
json`, its wall time in the "plan step" column, paid once per run, not per shard) and shards
that run `pytest --shard K/N --shard-plan=plan.json`, each collecting only the test files the
plan gives it; "maestro-ci" plans inside every shard (`pytest --shard K/N --shard-by test`)
after collecting the whole suite, as pytest-split's shards do. pytest-split: `--splits N
--group K --splitting-algorithm A`. The shards of the four ways are interleaved (shard k of
each way, in an order that rotates, before any shard k+1), so a slow spell on the machine hits
them alike.

| suite | N | plan step (s) | {head} |
|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(real_rows)}

{bench_planner()}

{bench_ingest()}
"""
    write_results("shard", md)


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--ingest-only"]:
        ingest_only()
        sys.exit(0)
    main()
    print(f"results in {ROOT / 'benchmarks/shard/RESULTS.md'}")
