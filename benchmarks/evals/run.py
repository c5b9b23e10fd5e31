"""Evals benchmark: scoring overhead for 200 scenarios x 5 checks, and --jobs speed-up.

1. Overhead: everything but the commands the checks run. 200 scenario files with 5
   checks each (tests_pass over a 2,000-test JUnit file, json_schema, risk_score_max from
   the run folder, structured_requirements on a real git change, and a command whose
   process start is replaced by an instant stand-in) are loaded, validated, scored and
   turned into the gate result. Target: under 1 s.
2. Parallel commands: 32 scenarios whose one command sleeps 0.25 s (a stand-in for an
   I/O-bound check such as a test run waiting on a service), through the real CLI with
   --jobs 1, 4 and 8, against the plain shell loop a user would otherwise write.

promptfoo (Node) is the usual tool for prompt evals, but it scores model outputs, not
git changes and JUnit results, so there is no like-for-like run; it is not compared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import WORK, median, time_call, time_command, write_results

from maestro_ci import __version__

BENCH = WORK / "evals"
MAESTRO = Path(sys.executable).parent / "maestro-ci"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@x.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def make_repo(path: Path, scenarios: int, check_block: str) -> Path:
    if path.exists():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    (path / "evals").mkdir(parents=True)
    (path / "pkg").mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "pkg/api.py").write_text("def f(x):\n    return x\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    (path / "pkg/api.py").write_text("def f(x):\n    return x + 1\n")
    (path / "tests").mkdir()
    (path / "tests/test_api.py").write_text("def test_f():\n    pass\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "change")
    for i in range(scenarios):
        (path / "evals" / f"s{i:03}.yml").write_text(f"id: bench.s{i:03}@v1\n" + check_block)
    return path


def junit(path: Path, tests: int) -> None:
    cases = "".join(f'<testcase classname="tests.test_m{i % 50}" name="test_{i}"/>' for i in range(tests))
    path.write_text(f'<testsuites><testsuite name="pytest" tests="{tests}">{cases}</testsuite></testsuites>')


OVERHEAD_CHECKS = """fixtures: [{failing_tests: 'tests/test_m1.py::test_1', junit: junit.xml}]
checks:
  - {type: tests_pass}
  - {type: json_schema, file: data.json, schema: {type: object, required: [ok]}}
  - {type: risk_score_max, max: 0.5}
  - type: structured_requirements
    require: [does not change public API, {touches_only: ['pkg/**', 'tests/**']}]
  - {type: command, run: 'run-the-tests'}
scoring: {exact: 0.4, tests: 0.4, risk: 0.2}
"""


def overhead() -> dict[str, float]:
    from maestro_ci.jobs.evals import run_suite
    from maestro_ci.jobs.evals_context import Options
    from maestro_ci.jobs.evals_gate import to_gate_result
    from maestro_ci.jobs.evals_model import load_suite
    from maestro_ci.models import GateResult, Status
    from maestro_ci.sources.eval_command import CommandOutcome
    from maestro_ci.sources.eval_workspace import Workspace

    repo = make_repo(BENCH / "overhead", 200, OVERHEAD_CHECKS)
    junit(repo / "junit.xml", 2000)
    (repo / "data.json").write_text(json.dumps({"ok": True}))
    run_dir = repo / ".maestro/runs/b"
    run_dir.mkdir(parents=True)
    (run_dir / "risk.json").write_text(
        GateResult(gate="risk", status=Status.PASS, score=0.2).model_dump_json()
    )

    class Instant(Workspace):
        def command(self, *_: object, **__: object) -> CommandOutcome:  # the process start is left out
            return CommandOutcome(0, "", "", 0.0)

    loaded = {}

    def load() -> None:
        loaded["items"] = [(p, s, p.name) for p, s in load_suite(repo / "evals")]

    def score() -> None:
        ws = Instant(root=repo, base="HEAD~1", head="HEAD", run_dir=run_dir, env={})
        report = run_suite(loaded["items"], ws, Options(), jobs=1)
        result = to_gate_result(report)
        assert result.status is Status.PASS, result.reasons[:2]
        assert len(report.scenarios) == 200

    load()  # warm-up (imports, schema generation)
    score()
    load_s = median(time_call(load, repeat=5))
    score_s = median(time_call(score, repeat=5))
    return {"load": load_s, "score": score_s}


def parallel() -> dict[str, float]:
    block = "checks:\n  - {type: command, run: 'sleep 0.25'}\n"
    repo = make_repo(BENCH / "parallel", 32, block)
    out: dict[str, float] = {}
    for jobs in (1, 4, 8):
        argv = [
            str(MAESTRO),
            "eval",
            "run",
            "--jobs",
            str(jobs),
            "--no-record",
            "--base",
            "HEAD~1",
            "-C",
            str(repo),
        ]
        out[f"jobs{jobs}"] = median(time_command(argv, repeat=3, warmup=1))
    shell = "; ".join(["sleep 0.25"] * 32)
    out["shell"] = median(time_command(["bash", "-c", shell], repeat=3, warmup=1))
    return out


def main() -> int:
    o = overhead()
    p = parallel()
    total = o["load"] + o["score"]
    md = f"""## Evals

Scoring overhead (everything but the commands the checks run), 200 scenarios × 5 checks
(`tests_pass` over a 2,000-test JUnit file, `json_schema`, `risk_score_max` from the run
folder, `structured_requirements` on a real git change, and a `command` whose process start
is left out), median of 5:

| step | time |
|---|---:|
| load and validate 200 scenario files | {o["load"]:.3f} s |
| score 1,000 checks, build the gate result | {o["score"]:.3f} s |
| **total** (target < 1 s) | **{total:.3f} s** |

Commands in parallel: 32 scenarios, each one command sleeping 0.25 s (8 s of waiting),
through the real CLI (`maestro-ci eval run`, process start included), median of 3:

| run | wall time | speed-up vs --jobs 1 |
|---|---:|---:|
| plain shell loop (what a user writes without a tool) | {p["shell"]:.2f} s | {p["jobs1"] / p["shell"]:.2f}× |
| `--jobs 1` | {p["jobs1"]:.2f} s | 1.00× |
| `--jobs 4` | {p["jobs4"]:.2f} s | {p["jobs1"] / p["jobs4"]:.2f}× |
| `--jobs 8` | {p["jobs8"]:.2f} s | {p["jobs1"] / p["jobs8"]:.2f}× |

maestro-ci {__version__}. promptfoo (Node) scores model outputs rather than git changes
and JUnit results, so it has no like-for-like run here and was not compared; the shell
loop is the baseline. Scratch repositories are built in `benchmarks/_work/evals/`.
"""
    write_results("evals", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
