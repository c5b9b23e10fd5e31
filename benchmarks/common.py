"""Helpers every benchmark shares: timing, the machine line, writing RESULTS.md."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_all import machine

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"  # scratch space, git-ignored


def time_command(
    argv: Sequence[str], repeat: int = 15, warmup: int = 2, cwd: Path | None = None
) -> list[float]:
    """Wall time of a command in seconds, ``repeat`` runs after ``warmup``."""
    samples: list[float] = []
    for i in range(warmup + repeat):
        start = time.perf_counter()
        subprocess.run(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if i >= warmup:
            samples.append(time.perf_counter() - start)
    return samples


def time_call(fn: Callable[[], object], repeat: int = 5) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p90(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def write_results(job: str, markdown: str) -> Path:
    """Write ``benchmarks/<job>/RESULTS.md`` with the machine line appended."""
    path = ROOT / "benchmarks" / job / "RESULTS.md"
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    path.write_text(markdown.rstrip() + f"\n\n_Measured {stamp} on {machine()}._\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return path
