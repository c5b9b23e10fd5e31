"""``pytest --affected`` run in-process (so its code is measured), on a repo whose names cannot clash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _pytest.pytester import SysModulesSnapshot, SysPathsSnapshot

from tests.conftest import GitRepo

FILES = {
    "kit/__init__.py": "",
    "kit/alpha.py": "def one():\n    return 1\n",
    "kit/beta.py": "def two():\n    return 2\n",
    "suite/test_kalpha.py": "from kit.alpha import one\n\n\ndef test_one():\n    assert one() == 1\n",
    "suite/test_kbeta.py": "from kit.beta import two\n\n\ndef test_two():\n    assert two() == 2\n",
    "suite/test_kalways.py": "import pytest\n\n\n@pytest.mark.maestro_always\ndef test_smoke():\n    pass\n",
}


def run_inprocess(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo.path)
    monkeypatch.syspath_prepend(str(repo.path))
    modules, paths = SysModulesSnapshot(), SysPathsSnapshot()
    try:
        capsys.readouterr()
        code = pytest.main(
            [
                "-q",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
                "-c",
                "/dev/null",
                "--rootdir",
                str(repo.path),
                *args,
            ]
        )
        captured = capsys.readouterr()
        return int(code), captured.out + captured.err
    finally:
        modules.restore()
        paths.restore()


def test_select_observe_and_run_all_in_process(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    git_repo.commit("base", FILES)
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("change", {"kit/beta.py": "def two():\n    return 2  # b\n"})
    code, out = run_inprocess(git_repo, monkeypatch, capsys, "--affected", "main")
    assert code == 0 and "2 passed" in out and "2 of 2 collected tests selected (1 kept" in out, out
    code, out = run_inprocess(git_repo, monkeypatch, capsys, "--affected", "main", "--affected-observe")
    assert code == 0 and "3 passed" in out and "would run 2" in out, out
    records = list((git_repo.path / ".maestro/affected/observations").glob("*-pytest.json"))
    assert json.loads(records[0].read_text())["would_select"] == [
        "suite/test_kalways.py::test_smoke",
        "suite/test_kbeta.py::test_two",
    ]
    git_repo.commit("deps", {"requirements.txt": "x\n"})
    code, out = run_inprocess(git_repo, monkeypatch, capsys, "--affected", "main")
    assert code == 0 and "3 passed" in out and "run all tests: requirements.txt changed" in out, out


def test_pytest_config_plugins_and_doctests(tmp_path: Path) -> None:
    from maestro_ci.sources.pytest_config import read_pytest_config

    (tmp_path / "setup.cfg").write_text(
        "[tool:pytest]\naddopts = -p kit.plug -pkit.other -p no:cov --doctest-modules\n"
    )
    conf = read_pytest_config(tmp_path)
    assert conf.plugins == ("kit.plug", "kit.other") and conf.doctest_modules and conf.source == "setup.cfg"
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = ["-p", "kit.x"]\n')
    assert read_pytest_config(tmp_path).plugins == ("kit.x",)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = '-p\n")
    assert read_pytest_config(tmp_path).source == "pytest.ini"


def test_plugin_module_and_doctests_selection(git_repo: GitRepo, cli: Any) -> None:
    files = {
        **FILES,
        "pytest.ini": "[pytest]\naddopts = -p kit.plug --doctest-modules\n",
        "kit/plug.py": "import kit.alpha\n",
        "kit/doc.py": "import kit.beta\n\n\ndef f():\n    '''\n    >>> 1\n    1\n    '''\n",
    }
    git_repo.commit("base", files)
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("b", {"kit/beta.py": "def two():\n    return 2  # b\n"})
    res = cli("affected", "--base", "main", "--format", "lines", "--no-record", cwd=git_repo.path)
    assert res.out == "kit/doc.py\nsuite/test_kbeta.py\n"
    git_repo.commit("a", {"kit/alpha.py": "def one():\n    return 1  # a\n"})
    res = cli("affected", "--base", "main", "--format", "json", "--no-record", cwd=git_repo.path)
    assert "a pytest plugin (-p)" in json.loads(res.out)["details"]["triggers"][0]["message"]
