"""What eval checks ask of the outside world: git, JUnit files, gate results, commands, files.

One :class:`Workspace` per run; answers are cached (checks of many scenarios
ask the same questions) and safe to share between the threads of ``--jobs``.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from maestro_ci.errors import InputError
from maestro_ci.models import ChangeSet, GateResult
from maestro_ci.sources import eval_command, eval_gates, git
from maestro_ci.sources.eval_command import CommandOutcome

T = TypeVar("T")


@dataclass(frozen=True)
class PatchOutcome:
    applies: bool
    method: str  # "apply", "3way" or "none"
    message: str


@dataclass
class Workspace:
    root: Path
    base: str
    head: str
    run_dir: Path
    env: Mapping[str, str]
    junit: list[str] = field(default_factory=list)
    base_junit: list[str] = field(default_factory=list)
    gate_commands: Mapping[str, list[str]] = field(default_factory=dict)
    gate_timeout: float = 300.0
    range_error: str | None = None  # why base/head could not be resolved, if so
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key_locks: dict[tuple[Any, ...], threading.Lock] = field(default_factory=dict)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]  # type: ignore[no-any-return]
            try:
                value: Any = make()
            except Exception as exc:  # remember failures too, so each is computed once
                value = exc
            with self._lock:
                self._cache[key] = value
        if isinstance(value, Exception):
            raise value
        return value  # type: ignore[no-any-return]

    # --- git -----------------------------------------------------------------
    def sha(self, ref: str) -> str:
        return self._cached(("sha", ref), lambda: git.resolve_commit(ref, self.root))

    def change(self, base: str, head: str) -> ChangeSet:
        return self._cached(("change", base, head), lambda: git.change_set(base, head, self.root))

    def show(self, ref: str, path: str) -> str | None:
        return self._cached(("show", ref, path), lambda: git.show_file(ref, path, self.root))

    def patch_check(self, patch: str | None, base: str, head: str, three_way: bool) -> PatchOutcome:
        return self._cached(
            ("patch", patch, base, head, three_way), lambda: self._patch(patch, base, head, three_way)
        )

    def _patch(self, patch: str | None, base: str, head: str, three_way: bool) -> PatchOutcome:
        base_sha = self.sha(base)
        if patch is None:
            fork = git.merge_base(base, head, self.root)
            data = git.run_git(["diff", "--binary", "--full-index", fork, self.sha(head)], self.root).encode(
                "utf-8", "surrogateescape"
            )
            what = f"the change {fork[:12]}..{self.sha(head)[:12]}"
        else:
            path = self.path(patch)
            if not path.is_file():
                return PatchOutcome(False, "none", f"patch file {patch} not found")
            data = path.read_bytes()
            what = f"patch {patch}"
        if not data.strip():
            return PatchOutcome(True, "apply", f"{what} is empty: nothing to apply")
        with tempfile.TemporaryDirectory(prefix="maestro-patch-") as tmp:
            patch_file = Path(tmp) / "change.patch"
            patch_file.write_bytes(data)
            env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index"), "LC_ALL": "C"}
            self._git(["read-tree", base_sha], env)
            plain = self._git(["apply", "--check", "--cached", str(patch_file)], env)
            if plain.returncode == 0:
                return PatchOutcome(True, "apply", f"{what} applies to {base} with git apply")
            why = _last_line(plain.stderr)
            if three_way:
                merged = self._git(["apply", "--3way", "--cached", str(patch_file)], env)
                if merged.returncode == 0:
                    return PatchOutcome(True, "3way", f"{what} applies to {base} only with a three-way merge")
                why = _last_line(merged.stderr) or why
            return PatchOutcome(False, "none", f"{what} does not apply to {base}: {why}")

    def _git(self, args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.root, env=dict(env), capture_output=True, text=True, check=False
        )

    # --- files ---------------------------------------------------------------
    def path(self, rel: str) -> Path:
        path = Path(rel)
        return path if path.is_absolute() else self.root / path

    def expand(self, patterns: list[str]) -> list[Path]:
        found: list[Path] = []
        for pattern in patterns:
            full = str(self.path(pattern))
            matches = sorted(glob.glob(full, recursive=True))  # noqa: PTH207 if glob.has_magic(full) else [full]
            if not matches or not Path(matches[0]).exists():
                raise InputError(
                    "JUnit file not found", file=pattern, fix="run the tests with --junitxml first"
                )
            found += [Path(m) for m in matches]
        return found

    def outcomes(self, patterns: list[str]) -> dict[str, str]:
        from maestro_ci.sources.junit import read_outcomes

        return self._cached(("junit", *patterns), lambda: read_outcomes(self.expand(patterns)))

    def not_passing(self, patterns: list[str]) -> list[str]:
        """Node ids (sorted) whose outcome is neither passed nor skipped."""

        def make() -> list[str]:
            outcomes = self.outcomes(patterns)
            return sorted(n for n, out in outcomes.items() if out not in ("passed", "skipped"))

        return self._cached(("not-passing", *patterns), make)

    def read_data(self, rel: str) -> Any:
        from maestro_ci.sources.yamlfile import load_document

        return self._cached(("data", rel), lambda: load_document(self.path(rel), "file").data)

    # --- gates and commands --------------------------------------------------
    def gate(self, name: str, base: str, head: str) -> GateResult:
        def make() -> GateResult:
            recorded = eval_gates.read_recorded(self.run_dir, name)
            if recorded is not None:
                return recorded
            argv = list(self.gate_commands.get(name, []))
            try:
                return eval_gates.compute(argv, base, head, self.root, self.env, self.gate_timeout)
            except eval_gates.GateUnavailable as exc:
                raise eval_gates.GateUnavailable(
                    f"no {name} result: {name}.json is not in the run folder {self.run_dir} "
                    f"and computing it failed: {exc.message}",
                    fix=f"run `maestro-ci {name}` earlier in the same run, or fix evals.gate_commands.{name}",
                ) from exc

        return self._cached(("gate", name, base, head), make)

    def command(
        self, run: str, cwd: str, allow: list[str], extra: Mapping[str, str], timeout: float
    ) -> CommandOutcome:
        env = eval_command.child_env(self.env, allow, extra)
        return eval_command.run_command(run, self.path(cwd), env, timeout)

    def changed_line_coverage(self, data_file: str, base: str, head: str) -> tuple[int, int]:
        """(covered, coverable) changed lines of Python files, from a coverage.py data file."""
        return self._cached(("cov", data_file, base, head), lambda: self._coverage(data_file, base, head))

    def _coverage(self, data_file: str, base: str, head: str) -> tuple[int, int]:
        import coverage
        from coverage.exceptions import CoverageException

        path = self.path(data_file)
        if not path.is_file():
            raise InputError(
                "coverage data file not found", file=data_file, fix="run the tests under coverage"
            )
        cov = coverage.Coverage(data_file=str(path), config_file=False)
        try:
            cov.load()
        except CoverageException as exc:
            raise InputError(f"coverage data does not load: {exc}", file=data_file) from exc
        covered = coverable = 0
        for rel, hunks in git.changed_lines(base, head, self.root).items():
            source = self.root / rel
            if not rel.endswith(".py") or not source.is_file() or not hunks.new:
                continue
            try:
                _, statements, _, missing, _ = cov.analysis2(str(source))
            except CoverageException:
                continue
            lines = hunks.new & set(statements)
            coverable += len(lines)
            covered += len(lines - set(missing))
        return covered, coverable


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
