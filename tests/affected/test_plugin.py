"""``pytest --affected`` and map recording, in real pytest subprocesses on real repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.affected.helpers import picked, select, shop
from tests.conftest import GitRepo


def pytest_run(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cov", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env={**_env(), "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "PYTEST_"))}


def test_affected_deselects_and_skips_collection(git_repo: GitRepo) -> None:
    shop(
        git_repo,
        {
            "tests/test_always.py": "import pytest\n\n\n@pytest.mark.maestro_always\ndef test_smoke():\n    pass\n"
        },
    )
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # u\n"})
    proc = pytest_run(git_repo, "--affected", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    assert "maestro-ci affected: 2 of 2 collected tests selected (1 kept as always/failed/new)" in proc.stdout
    assert "1 selected (1 of 4 test files)" in proc.stdout


def test_inert_without_option_and_bad_ref_is_usage_error(git_repo: GitRepo) -> None:
    shop(git_repo)
    plain = pytest_run(git_repo)
    assert plain.returncode == 0 and "4 passed" in plain.stdout and "maestro-ci" not in plain.stdout
    bad = pytest_run(git_repo, "--affected", "nope")
    assert bad.returncode == 4 and "ref 'nope' does not exist" in bad.stderr


def test_last_failed_and_new_tests_are_kept(git_repo: GitRepo) -> None:
    shop(git_repo)
    git_repo.write("tests/test_util.py", "def test_ident():\n    assert False\n")
    pytest_run(git_repo)  # records failures and every node id seen
    git_repo.write(
        "tests/test_util.py", "from shop.util import ident\n\n\ndef test_ident():\n    assert ident(3) == 3\n"
    )
    git_repo.commit("docs", {"README.md": "# shop\n\nmore\n"})
    proc = pytest_run(git_repo, "--affected", "main")
    assert "1 passed in" in proc.stdout, proc.stdout
    assert "1 of 1 collected tests selected (1 kept as always/failed/new)" in proc.stdout


def test_record_map_then_precise_selection(git_repo: GitRepo, cli: Any) -> None:
    shop(
        git_repo,
        {
            "tests/test_param.py": "import pytest\nfrom shop.pricing import price\n\n\n"
            "@pytest.mark.parametrize('v', [1, 2])\ndef test_p(v):\n    assert price(v) == 2 * v\n",
            "tests/test_spawn.py": "import subprocess\nimport sys\n\n\n"
            "def test_spawn():\n    subprocess.run([sys.executable, '-c', 'pass'], check=True)\n",
            # a pager fed through a pipe cannot run repository code: not opaque
            "tests/test_pager.py": "import subprocess\n\n\n"
            "def test_pager():\n    assert subprocess.run(['cat'], input='x', text=True, "
            "capture_output=True).stdout == 'x'\n",
            "tests/test_shared.py": "import pytest\nfrom shop.pricing import other\n\n\n"
            "@pytest.fixture(scope='module')\ndef value():\n    return other(1)\n\n\n"
            "def test_s1(value):\n    assert value == 2\n\n\ndef test_s2(value):\n    assert value == 2\n",
        },
    )
    git_repo.git("checkout", "-q", "main")
    rec = pytest_run(git_repo, "--affected-record-map", ".maestro/affected-map.json")
    assert rec.returncode == 0 and "coverage map of 10 tests" in rec.stdout, rec.stdout + rec.stderr
    cmap = json.loads((git_repo.path / ".maestro/affected-map.json").read_text())
    assert cmap["kind"] == "maestro-ci/affected-map" and "tests/test_pricing.py::test_price" in cmap["tests"]
    git_repo.git("checkout", "-q", "feature")
    body = "RATE = 2\n\n\ndef price(x):\n    y = x * RATE\n    return y + 0\n\n\ndef other(x):\n    return x + 1\n"
    git_repo.commit("body", {"shop/pricing.py": body})
    res = cli(
        "affected",
        "--base",
        "main",
        "--mode",
        "precise",
        "--format",
        "lines",
        "--no-record",
        cwd=git_repo.path,
    )
    assert res.code == 0 and res.out == (
        "tests/test_cart.py::test_total\ntests/test_param.py::test_p\n"
        "tests/test_pricing.py::test_price\ntests/test_spawn.py::test_spawn\n"
    )
    assert cmap["opaque"] == [cmap["tests"].index("tests/test_spawn.py::test_spawn")]
    assert cmap["files"]["shop/pricing.py"]["shared_lines"] == [10]
    proc = pytest_run(git_repo, "--affected", "main", "--affected-mode", "auto")
    assert "5 passed, 1 deselected" in proc.stdout, proc.stdout
    git_repo.commit("const", {"shop/pricing.py": body.replace("RATE = 2", "RATE = 2  # two")})
    res = cli(
        "affected",
        "--base",
        "main",
        "--mode",
        "precise",
        "--format",
        "json",
        "--no-record",
        cwd=git_repo.path,
    )
    details = json.loads(res.out)["details"]
    assert "import time" in details["fallbacks"]["shop/pricing.py"]
    assert [s["test"] for s in details["selected"]] == [
        "tests/test_cart.py",
        "tests/test_param.py",
        "tests/test_pricing.py",
        "tests/test_shared.py",
    ]


def test_observe_then_report(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    # a hidden dependency the graph cannot see: the test reads the module's file
    git_repo.commit(
        "hidden",
        {
            "tests/test_hidden.py": "from pathlib import Path\n\n\ndef test_h():\n    assert 'x' not in Path('shop/util.py').read_text()\n"
        },
    )
    git_repo.git("checkout", "-q", "-b", "f2")
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # x\n"})
    proc = pytest_run(git_repo, "--affected", "feature", "--affected-observe")
    assert "1 failed, 4 passed" in proc.stdout and "would run 1" in proc.stdout, proc.stdout
    res = cli("affected", "report", "--no-record", cwd=git_repo.path)
    assert res.code == 0 and "1 missed failure(s)" in res.out
    assert "tests/test_hidden.py::test_h failed but selection would have skipped it" in res.out


def test_cli_observe_with_junit(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # x\n"})
    res = cli("affected", "--base", "main", "--observe", "--format", "json", "--no-record", cwd=git_repo.path)
    assert json.loads(res.out)["details"]["run_all"] is True
    junit = git_repo.path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest"><testcase classname="tests.test_cart" name="test_total">'
        '<failure message="boom"/></testcase></testsuite></testsuites>'
    )
    rep = cli(
        "affected", "report", "--junit", str(junit), "--format", "json", "--no-record", cwd=git_repo.path
    )
    data = json.loads(rep.out)
    assert data["status"] == "warn" and data["metrics"]["missed"] == 1
    assert "tests/test_cart.py::test_total" in data["reasons"][0]["message"]
    again = cli("affected", "report", "--junit", str(junit), cwd=git_repo.path)
    assert again.code == 2 and "no observation waits" in again.err


def test_merge_maps(git_repo: GitRepo, cli: Any, tmp_path: Path) -> None:
    shop(git_repo)
    a = pytest_run(git_repo, "tests/test_cart.py", "--affected-record-map", str(tmp_path / "a.json"))
    b = pytest_run(git_repo, "tests/test_util.py", "--affected-record-map", str(tmp_path / "b.json"))
    assert a.returncode == b.returncode == 0
    out = tmp_path / "m.json"
    res = cli(
        "affected",
        "merge-maps",
        str(tmp_path / "b.json"),
        str(tmp_path / "a.json"),
        "--output",
        str(out),
        cwd=git_repo.path,
    )
    assert res.code == 0, res.err
    merged = json.loads(out.read_text())
    assert merged["tests"] == ["tests/test_cart.py::test_total", "tests/test_util.py::test_ident"]
    assert merged["shards"] == 2
    # shard a never imported shop/util.py and shard b never imported shop/cart.py; together they did
    assert "shop/util.py" in json.loads((tmp_path / "a.json").read_text())["unimported"]
    assert "shop/cart.py" in json.loads((tmp_path / "b.json").read_text())["unimported"]
    assert "shop/util.py" not in merged["unimported"] and "shop/cart.py" not in merged["unimported"]
    assert "tests/test_pricing.py" in merged["unimported"]  # neither shard ran it
    res2 = cli(
        "affected",
        "merge-maps",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--output",
        str(tmp_path / "n.json"),
        cwd=git_repo.path,
    )
    assert res2.code == 0 and (tmp_path / "n.json").read_text() == out.read_text()


def test_precise_with_an_older_map_selects_what_the_map_cannot_know(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.git("checkout", "-q", "main")
    assert pytest_run(git_repo, "--affected-record-map", ".maestro/affected-map.json").returncode == 0
    newer = {
        "tests/test_new.py": "from shop.pricing import price\n\n\ndef test_new():\n    assert price(1) == 2\n",
        "shop/cart.py": "from shop.pricing import price\n\n\ndef total(items):\n    return sum(price(i) for i in items) + 0\n",
    }
    git_repo.commit("after the map", newer)
    git_repo.git("checkout", "-q", "-b", "pr")
    body = "RATE = 2\n\n\ndef price(x):\n    y = x * RATE\n    return y + 0\n\n\ndef other(x):\n    return x + 1\n"
    git_repo.commit("body", {"shop/pricing.py": body})
    res = cli(
        "affected",
        "--base",
        "main",
        "--mode",
        "precise",
        "--format",
        "json",
        "--no-record",
        cwd=git_repo.path,
    )
    details = json.loads(res.out)["details"]
    picked = {s["test"]: s["why"][0]["kind"] for s in details["selected"]}
    assert picked["tests/test_new.py"] == "stale-map" and picked["tests/test_cart.py"] == "stale-map"
    assert picked["tests/test_pricing.py::test_price"] == "coverage"
    assert "tests/test_util.py" not in picked


def test_a_module_no_test_imported_reaches_only_subprocess_tests(git_repo: GitRepo, cli: Any) -> None:
    """A platform module (never imported on this runner): precise mode does not fall back to the
    import graph, which would select every test of the package; only subprocess tests run."""
    winonly = "def console():\n    return 'cp1252'\n"
    shop(
        git_repo,
        {
            "shop/pricing.py": "import sys\n\nif sys.platform == 'win32':\n    from shop import winonly\n\n\n"
            "RATE = 2\n\n\ndef price(x):\n    return x * RATE\n\n\ndef other(x):\n    return x + 1\n",
            "shop/winonly.py": winonly,
            ".gitignore": ".maestro/\n",
            "tests/test_spawn.py": "import subprocess\nimport sys\n\n\n"
            "def test_spawn():\n    subprocess.run([sys.executable, '-c', 'pass'], check=True)\n",
        },
    )
    git_repo.git("checkout", "-q", "main")
    assert pytest_run(git_repo, "--affected-record-map", ".maestro/affected-map.json").returncode == 0
    cmap = json.loads((git_repo.path / ".maestro/affected-map.json").read_text())
    assert "shop/winonly.py" in cmap["unimported"] and "shop/winonly.py" not in cmap["files"]
    git_repo.git("checkout", "-q", "feature")
    git_repo.commit("win", {"shop/winonly.py": winonly.replace("cp1252", "utf-8")})
    details = select(cli, git_repo, "--mode", "precise")
    assert details["unimported"] == ["shop/winonly.py"] and not details["fallbacks"]
    assert picked(details) == ["tests/test_spawn.py::test_spawn"]
    static = select(cli, git_repo, "--mode", "static")
    assert "tests/test_pricing.py" in picked(static)  # the graph keeps the conditional import
    text = cli("affected", "--base", "main", "--mode", "precise", "--no-record", cwd=git_repo.path)
    assert "shop/winonly.py: no test imported it when the map was recorded" in text.out
    explain = cli(
        "affected",
        "--base",
        "main",
        "--mode",
        "precise",
        "--no-record",
        "--explain",
        "tests/test_cart.py::test_total",
        cwd=git_repo.path,
    )
    assert "not selected" in explain.out and "no test imported shop/winonly.py" in explain.out
    # the map saw another content of the file: it cannot vouch for this one, the graph decides
    git_repo.git("checkout", "-q", "main")
    git_repo.commit("win2", {"shop/winonly.py": winonly + "\n\nX = 1\n"})
    git_repo.git("checkout", "-q", "-b", "feature2")
    git_repo.commit("win3", {"shop/winonly.py": winonly + "\n\nX = 2\n"})
    details = select(cli, git_repo, "--mode", "precise")
    assert details["fallbacks"] == {"shop/winonly.py": "the map saw another version"}
    assert "tests/test_pricing.py" in picked(details)
