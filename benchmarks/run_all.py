"""`make bench`: run every benchmark, then assemble docs/benchmarks.md.

Each job's benchmark is ``benchmarks/<job>/run.py``. It measures, compares with
the tool a user would pick instead in the same run, and writes its section to
``benchmarks/<job>/RESULTS.md``. This script runs them (all, or ``--only JOB``)
and joins the sections, with the machine they ran on, into docs/benchmarks.md.

    python benchmarks/run_all.py                 # run everything, assemble
    python benchmarks/run_all.py --only shard    # run one, assemble
    python benchmarks/run_all.py --assemble      # only re-assemble from RESULTS.md files
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORDER = ["foundation", "affected", "shard", "policy", "risk", "evals", "health", "provenance", "summary"]


def jobs() -> list[str]:
    found = [p.parent.name for p in HERE.glob("*/run.py")]
    return sorted(found, key=lambda j: (ORDER.index(j) if j in ORDER else len(ORDER), j))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def assemble() -> None:
    parts = [
        "# Benchmarks\n\n",
        "<!-- assembled by benchmarks/run_all.py from benchmarks/*/RESULTS.md; do not edit -->\n\n",
        "Speed is measured here, never asserted in the test suite. Each section names the tool a\n"
        "user would pick instead and compares with it in the same run, on the same machine.\n"
        "Re-run with `make bench` (or `python benchmarks/run_all.py --only JOB`).\n\n",
    ]
    for job in jobs():
        results = HERE / job / "RESULTS.md"
        if results.exists():
            parts.append(results.read_text(encoding="utf-8").rstrip() + "\n\n")
        else:
            parts.append(
                f"## {job}\n\nNot measured yet: run `python benchmarks/run_all.py --only {job}`.\n\n"
            )
    (ROOT / "docs" / "benchmarks.md").write_text("".join(parts), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", action="append", choices=jobs(), help="run only this job's benchmark")
    parser.add_argument("--assemble", action="store_true", help="only assemble docs/benchmarks.md")
    args = parser.parse_args()
    failed = []
    if not args.assemble:
        print(f"machine: {machine()}")
        for job in args.only or jobs():
            print(f"== benchmark: {job}", flush=True)
            proc = subprocess.run([sys.executable, str(HERE / job / "run.py")], cwd=ROOT, check=False)
            if proc.returncode != 0:
                failed.append(job)
    assemble()
    print("wrote docs/benchmarks.md")
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
