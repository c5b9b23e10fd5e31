"""Which child processes make a test opaque while a coverage map is recorded."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from maestro_ci.sources.child_processes import may_run_repository_code

CAT = shutil.which("cat")
pytestmark = pytest.mark.skipif(CAT is None, reason="needs a cat binary")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "mod.py").write_text("X = 1\n")
    (tmp_path / "bin").mkdir()
    tool = tmp_path / "bin" / "tool"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "shell"),
    [
        ([sys.executable, "-c", "pass"], False),  # the interpreter itself
        (["python3", "-m", "http.server"], False),
        (["pypy3.10", "x.py"], False),
        ("echo hi | less", True),  # a shell can run anything
        ("cat; python -c 1", True),
        ("PAGER=x cat", True),
        ("cat $HOME", True),
        ("less 'x'", True),
        ("cat src/mod.py", True),  # plain, but it reads repository source
        ("python3 -m x", True),
        (["sh", "-c", "less"], False),
        (["env", "cat"], False),
        (["git", "status"], False),  # hooks, and it reads the tree
        (["make", "test"], False),
        (["cat", "src/mod.py"], False),  # reads repository source as data
        (["cat", "--file=src/mod.py"], False),
        (["bin/tool"], False),  # a program inside the repository
        ("bin/tool", False),
    ],
)
def test_children_that_may_reach_repository_code(repo: Path, args: object, shell: bool) -> None:
    assert may_run_repository_code(args, None, shell, repo, cwd=repo)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        ["cat"],  # a pager fed through a pipe
        [CAT, "-"],
        ["cat", "/etc/hostname"],  # a path outside the repository
        ["cat", "no-such-file"],
        [b"cat", b"-u"],
    ],
)
def test_compiled_tools_without_repository_paths_are_harmless(repo: Path, args: list[object]) -> None:
    assert not may_run_repository_code(args, None, False, repo, cwd=repo)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["cat", "cat -u", "less -R", "  cat  "])
def test_a_plain_shell_command_is_read_as_the_shell_would(repo: Path, command: str) -> None:
    if shutil.which(command.split(maxsplit=1)[0]) is None:
        pytest.skip(f"{command.split(maxsplit=1)[0]} is not installed")
    assert not may_run_repository_code(command, None, True, repo, cwd=repo)


def test_a_script_anywhere_on_path_is_not_harmless(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("bin")
    script = elsewhere / "mytool"
    script.write_text("#!/usr/bin/env python3\nprint(1)\n")
    script.chmod(0o755)
    env = {"PATH": f"{elsewhere}:/usr/bin:/bin"}
    assert may_run_repository_code(["mytool"], None, False, repo, env=env, cwd=repo)
    assert may_run_repository_code(["cat"], str(script), False, repo, cwd=repo)  # executable= wins


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=4), st.booleans())
@example(["/\x00"], False)  # a NUL in the program path: os.path.realpath raises ValueError
def test_any_argument_list_gets_an_answer(args: list[str], shell: bool) -> None:
    answer = may_run_repository_code(args, None, shell, Path.cwd())
    assert isinstance(answer, bool)
    if not args or (shell and len(args) != 1):
        assert answer
