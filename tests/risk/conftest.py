"""A small repository with a package, tests, CODEOWNERS, a base (main) and a change (HEAD)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import GitRepo

BASE_CORE = "def total(items):\n    return sum(items)\n"
HEAD_CORE = (
    "def total(items):\n"
    "    out = 0\n"
    "    for item in items:\n"
    "        if item > 0 and item < 100:\n"
    "            out += item\n"
    "    return out\n"
)


@pytest.fixture
def shop(git_repo: GitRepo) -> GitRepo:
    git_repo.commit(
        "Initial",
        {
            ".github/CODEOWNERS": "* @org/all\n/pkg/core.py @org/core\n/tests/ @org/qa\n",
            "pkg/__init__.py": "",
            "pkg/core.py": BASE_CORE,
            "pkg/api.py": "from pkg.core import total\n\n\ndef handle(xs):\n    return total(xs)\n",
            "pkg/cli.py": "def main():\n    from pkg import api\n    return api.handle([1])\n",
            "pkg/util.py": "X = 1\n",
            "tests/test_core.py": "from pkg.core import total\n\n\ndef test_total():\n    assert total([1]) == 1\n",
        },
    )
    git_repo.git("branch", "base")
    git_repo.commit("Make total skip bad items", {"pkg/core.py": HEAD_CORE, "tests/test_core.py": "x = 2\n"})
    return git_repo


def risk_json(cli: Any, repo: GitRepo, *args: str) -> tuple[int, dict[str, Any]]:
    res = cli("risk", "--base", "base", "--format", "json", "--no-record", *args, cwd=repo.path)
    assert res.out, res.err
    return res.code, json.loads(res.out)


def signal(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in result["details"]["signals"] if s["name"] == name)
