"""Run the steps of ``action.yml`` locally, the way GitHub Actions runs a composite action.

Each ``run:`` step runs with ``bash --noprofile --norc -eo pipefail`` and its
``env:`` (``${{ ... }}`` expressions evaluated against the inputs, the
action path, ``runner.*`` and earlier steps' outputs), in the workspace, with
fresh temp files for ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``,
``GITHUB_ENV``, ``GITHUB_PATH`` and an event file. ``uses:`` steps are
emulated minimally (Python is already here; the cache is a no-op; attest is
recorded). The composite's ``outputs:`` are evaluated at the end.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from maestro_ci.gha import read_outputs

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][A-Za-z0-9_.\-]*)|(\d+))")


class Expression:
    """A tiny evaluator for the expression syntax action.yml uses."""

    def __init__(self, text: str, context: Mapping[str, Any], status: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise ValueError(f"cannot parse expression at {text[pos:]!r}")
            kinds = ("str", "op", "name", "num")
            kind = next(k for k, g in zip(kinds, match.groups(), strict=True) if g is not None)
            self.tokens.append((kind, match.group(kinds.index(kind) + 1)))
            pos = match.end()
        self.pos = 0
        self.context = context
        self.status = status

    def value(self) -> Any:
        result = self._or()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]}")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self.pos += 1
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._eq()
        while self._peek() == "&&":
            self.pos += 1
            right = self._eq()
            left = right if truthy(left) else left
        return left

    def _eq(self) -> Any:
        left = self._unary()
        while self._peek() in ("==", "!="):
            op = self.tokens[self.pos][1]
            self.pos += 1
            right = self._unary()
            same = str(left).lower() == str(right).lower()
            left = same if op == "==" else not same
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self.pos += 1
            return not truthy(self._unary())
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if text == "(":
            inner = self._or()
            self.pos += 1
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return int(text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            self.pos += 2  # only argument-less status functions are used
            return {
                "always": True,
                "success": self.status == "success",
                "failure": self.status == "failure",
                "cancelled": False,
            }[text]
        node: Any = self.context
        for part in text.split("."):
            node = node.get(part, "") if isinstance(node, Mapping) else ""
        return node


def truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


def render(value: Any, context: Mapping[str, Any], status: str = "success") -> str:
    def one(match: re.Match[str]) -> str:
        result = Expression(match.group(1), context, status).value()
        if isinstance(result, bool):
            return "true" if result else "false"
        return "" if result is None else str(result)

    return EXPR.sub(one, str(value))


@dataclass
class StepRun:
    id: str
    name: str
    outcome: str  # success | failure | skipped
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    code: int
    outputs: dict[str, str]
    summary: str
    steps: list[StepRun]
    attest_calls: list[dict[str, str]]

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.id == step_id)


Emulator = Callable[[dict[str, str], "ActionHarness"], dict[str, str]]


def _setup_python(with_: dict[str, str], harness: ActionHarness) -> dict[str, str]:
    version = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return {"python-path": sys.executable, "python-version": version, "cache-hit": "false"}


def _cache(with_: dict[str, str], harness: ActionHarness) -> dict[str, str]:
    assert with_.get("path") and with_.get("key"), with_
    return {"cache-hit": "false"}


def _attest(with_: dict[str, str], harness: ActionHarness) -> dict[str, str]:
    harness.attest_calls.append(dict(with_))
    return {"attestation-url": "https://github.invalid/attestations/1", "attestation-id": "1"}


EMULATORS: dict[str, Emulator] = {
    "actions/setup-python": _setup_python,
    "actions/cache": _cache,
    "actions/attest": _attest,
}


@dataclass
class ActionHarness:
    action_path: Path
    workspace: Path
    temp: Path  # RUNNER_TEMP; keep it across runs to reuse the installed venv
    base_env: dict[str, str] = field(default_factory=dict)  # e.g. pip settings for the install step
    event: dict[str, Any] = field(default_factory=dict)
    attest_calls: list[dict[str, str]] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        data = yaml.safe_load((self.action_path / "action.yml").read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data

    def run(self, inputs: Mapping[str, str], extra_env: Mapping[str, str] | None = None) -> ActionRun:
        manifest = self.manifest()
        declared = manifest["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs not declared in action.yml: {unknown}"
        values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        values.update(inputs)
        for name, spec in declared.items():
            assert not spec.get("required") or values[name], f"required input {name} missing"
        self.attest_calls = []
        self.temp.mkdir(parents=True, exist_ok=True)
        files = self.temp / f"files-{os.getpid()}"
        files.mkdir(exist_ok=True)
        event_path = files / "event.json"
        event_path.write_text(json.dumps(self.event), encoding="utf-8")
        summary_parts: list[str] = []
        env: dict[str, str] = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "MAESTRO_", "INPUT_", "RUNNER_"))
        }
        env.update(
            GITHUB_ACTIONS="true",
            CI="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_EVENT_PATH=str(event_path),
            GITHUB_EVENT_NAME="pull_request" if "pull_request" in self.event else "push",
            GITHUB_ACTION_PATH=str(self.action_path),
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="Linux",
        )
        env.update(self.base_env)
        env.update(extra_env or {})
        context: dict[str, Any] = {
            "inputs": values,
            "github": {"action_path": str(self.action_path), "workspace": str(self.workspace)},
            "runner": {"os": "Linux", "temp": str(self.temp)},
            "steps": {},
            "env": env,
        }
        runs: list[StepRun] = []
        status = "success"
        code = 0
        for index, step in enumerate(manifest["runs"]["steps"]):
            step_id = str(step.get("id", f"__{index}"))
            name = str(step.get("name", step_id))
            condition = str(step.get("if", "success()"))
            condition = condition.strip()
            if condition.startswith("${{"):
                condition = condition[3:].rstrip("}").rstrip()
            if not any(f in condition for f in ("always()", "success()", "failure()", "cancelled()")):
                condition = f"success() && ({condition})"
            if not truthy(Expression(condition, context, status).value()):
                runs.append(StepRun(step_id, name, "skipped"))
                context["steps"][step_id] = {"outputs": {}, "outcome": "skipped"}
                continue
            if "uses" in step:
                action = str(step["uses"]).split("@", 1)[0]
                with_ = {k: render(v, context, status) for k, v in (step.get("with") or {}).items()}
                outputs = EMULATORS[action](with_, self)
                result = StepRun(step_id, name, "success", outputs=outputs)
            else:
                result = self._run_step(step, step_id, name, files, env, context, status, summary_parts)
            runs.append(result)
            context["steps"][step_id] = {"outputs": result.outputs, "outcome": result.outcome}
            if result.outcome == "failure" and status == "success":
                status, code = "failure", result.code
        outputs = {
            name: render(spec.get("value", ""), context, status)
            for name, spec in (manifest.get("outputs") or {}).items()
        }
        return ActionRun(code, outputs, "".join(summary_parts), runs, list(self.attest_calls))

    def _run_step(
        self,
        step: Mapping[str, Any],
        step_id: str,
        name: str,
        files: Path,
        env: dict[str, str],
        context: Mapping[str, Any],
        status: str,
        summary_parts: list[str],
    ) -> StepRun:
        script = str(step["run"])
        assert "${{" not in script, f"step {name!r}: expressions inside run: are not allowed"
        assert step.get("shell") == "bash", f"step {name!r}: composite run steps need shell: bash"
        paths = {key: files / f"{step_id}.{key.lower()}" for key in ("OUTPUT", "STEP_SUMMARY", "ENV", "PATH")}
        for path in paths.values():
            path.write_text("", encoding="utf-8")
        step_env = dict(env)
        step_env.update({f"GITHUB_{key}": str(path) for key, path in paths.items()})
        step_env.update({k: render(v, context, status) for k, v in (step.get("env") or {}).items()})
        script_file = files / f"{step_id}.sh"
        script_file.write_text(script, encoding="utf-8")
        cwd = self.workspace / render(step.get("working-directory", "."), context, status)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=cwd,
            env=step_env,
            stdin=subprocess.DEVNULL,  # a runner's steps read no input
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        summary_parts.append(paths["STEP_SUMMARY"].read_text(encoding="utf-8"))
        env.update(read_outputs(paths["ENV"]))
        for line in paths["PATH"].read_text(encoding="utf-8").splitlines():
            if line.strip():
                env["PATH"] = line.strip() + os.pathsep + env.get("PATH", "")
        return StepRun(
            step_id,
            name,
            "success" if proc.returncode == 0 else "failure",
            proc.returncode,
            proc.stdout,
            proc.stderr,
            read_outputs(paths["OUTPUT"]),
        )
