"""``maestro-ci affected`` on real git repositories built in temp folders."""

from __future__ import annotations

import json
from typing import Any

from tests.affected.helpers import picked, select, shop, trigger_codes
from tests.conftest import GitRepo


def test_change_selects_importers_with_chain(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit(
        "change",
        {
            "shop/pricing.py": "RATE = 3\n\n\ndef price(x):\n    return x * RATE\n\n\ndef other(x):\n    return x + 1\n"
        },
    )
    details = select(cli, git_repo)
    assert picked(details) == ["tests/test_cart.py", "tests/test_pricing.py"]
    cart = next(s for s in details["selected"] if s["test"] == "tests/test_cart.py")
    assert cart["why"][0]["via"] == ["tests.test_cart", "shop.cart", "shop.pricing"]
    assert details["range"]["source"] == "flags"
    assert details["total_known"] == 3 and not details["run_all"]


def test_formats_lines_and_pytest_args(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("change", {"shop/util.py": "def ident(x):\n    return x  # same\n"})
    lines = cli("affected", "--base", "main", "--format", "lines", "--no-record", cwd=git_repo.path)
    assert lines.out == "tests/test_util.py\n"
    args = cli("affected", "--base", "main", "--format", "pytest-args", "--no-record", cwd=git_repo.path)
    assert args.out == "tests/test_util.py\n"
    text = cli("affected", "--base", "main", "--no-record", cwd=git_repo.path)
    assert "tests/test_util.py  <- imports shop/util.py" in text.out


def test_docs_only_change_selects_nothing_and_says_so(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("docs", {"README.md": "# shop\n\nmore\n", "docs/x.md": "x\n"})
    details = select(cli, git_repo)
    assert details["selected"] == [] and not details["run_all"]
    res = cli("affected", "--base", "main", "--no-record", cwd=git_repo.path)
    assert "the change reaches no test" in res.out
    args = cli("affected", "--base", "main", "--format", "pytest-args", "--no-record", cwd=git_repo.path)
    assert args.out == "-m maestro_always\n"


def test_trigger_file_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("deps", {"requirements.txt": "requests\n"})
    details = select(cli, git_repo)
    assert details["run_all"] and trigger_codes(details) == ["affected.trigger-file"]
    res = cli("affected", "--base", "main", "--format", "pytest-args", "--no-record", cwd=git_repo.path)
    assert res.out == "\n" and "requirements.txt changed" in res.err


def test_maestro_yml_counts_only_when_selection_changes(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo, {".maestro.yml": "version: 1\n"})
    git_repo.commit("mask", {".maestro.yml": "version: 1\nmask:\n  patterns: ['x{8}']\n"})
    assert not select(cli, git_repo)["run_all"]
    git_repo.commit("sel", {".maestro.yml": "version: 1\nselection:\n  safe: ['*.md']\n"})
    assert "affected.trigger-file" in trigger_codes(select(cli, git_repo))


def test_commit_trailer_forces_full_run(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.write("shop/util.py", "def ident(x):\n    return x\n\n")
    git_repo.commit("tweak\n\nmaestro: run-all\n")
    details = select(cli, git_repo)
    assert trigger_codes(details) == ["affected.override"]


def test_pull_request_label_forces_full_run(
    git_repo: GitRepo, cli: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    shop(git_repo)
    git_repo.commit("tweak", {"shop/util.py": "def ident(x):\n    return x\n\n"})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"labels": [{"name": "maestro: run-all"}]}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert "label" in select(cli, git_repo)["triggers"][0]["message"]


def test_conftest_change_selects_its_folder(git_repo: GitRepo, cli: Any) -> None:
    shop(
        git_repo,
        {
            "tests/sub/__init__.py": "",
            "tests/sub/conftest.py": "",
            "tests/sub/test_deep.py": "def test_d():\n    pass\n",
        },
    )
    git_repo.commit("fixture", {"tests/sub/conftest.py": "import pytest\n"})
    assert picked(select(cli, git_repo)) == ["tests/sub/test_deep.py"]


def test_root_conftest_is_a_trigger(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo, {"conftest.py": ""})
    git_repo.commit("fixture", {"conftest.py": "import shop\n"})
    assert trigger_codes(select(cli, git_repo)) == ["affected.trigger-file"]


def test_conftest_importing_changed_module_selects_folder(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo, {"tests/conftest.py": "from shop.util import ident\n"})
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x or x\n"})
    assert picked(select(cli, git_repo)) == [
        "tests/test_cart.py",
        "tests/test_pricing.py",
        "tests/test_util.py",
    ]


def test_rename_still_imported_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.git("mv", "shop/util.py", "shop/utils.py")
    git_repo.commit("rename")
    details = select(cli, git_repo)
    assert trigger_codes(details) == ["affected.deleted-module"]
    assert "tests/test_util.py still imports it" in details["triggers"][0]["message"]


def test_rename_with_importers_updated_selects_them(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.git("mv", "shop/util.py", "shop/utils.py")
    git_repo.commit(
        "rename",
        {
            "tests/test_util.py": "from shop.utils import ident\n\n\ndef test_ident():\n    assert ident(3) == 3\n"
        },
    )
    details = select(cli, git_repo)
    assert not details["run_all"] and picked(details) == ["tests/test_util.py"]


def test_deleted_module_still_imported_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.git("rm", "-q", "shop/util.py")
    git_repo.commit("delete")
    assert trigger_codes(select(cli, git_repo)) == ["affected.deleted-module"]


def test_data_file_in_test_folder_selects_folder(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo, {"tests/data/cases.json": "[1]\n"})
    git_repo.commit("data", {"tests/data/cases.json": "[1, 2]\n"})
    details = select(cli, git_repo)
    assert len(picked(details)) == 3 and details["selected"][0]["why"][0]["kind"] == "folder"


def test_data_file_outside_tests_runs_all_unless_mapped(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo, {"shop/prices.csv": "a,1\n"})
    git_repo.commit("data", {"shop/prices.csv": "a,2\n"})
    details = select(cli, git_repo)
    assert (
        trigger_codes(details) == ["affected.non-python"]
        and "shop/prices.csv" in details["triggers"][0]["message"]
    )
    git_repo.commit(
        "map",
        {".maestro.yml": "version: 1\nselection:\n  map:\n    'shop/*.csv': ['tests/test_pricing.py']\n"},
    )
    git_repo.git("checkout", "-q", "-b", "feature2")
    git_repo.commit("data2", {"shop/prices.csv": "a,3\n"})
    res = cli("affected", "--base", "feature", "--format", "json", "--no-record", cwd=git_repo.path)
    assert [s["test"] for s in json.loads(res.out)["details"]["selected"]] == ["tests/test_pricing.py"]


def test_namespace_package_and_src_layout(git_repo: GitRepo, cli: Any) -> None:
    git_repo.commit(
        "base",
        {
            "src/acme/plugins/a.py": "VALUE = 1\n",
            "src/acme/core.py": "from acme.plugins import a\n",
            "tests/test_core.py": "import acme.core\n\n\ndef test_x():\n    pass\n",
            "tests/test_other.py": "def test_y():\n    pass\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("change", {"src/acme/plugins/a.py": "VALUE = 2\n"})
    assert picked(select(cli, git_repo)) == ["tests/test_core.py"]


def test_test_tree_not_a_package_and_helper_module(git_repo: GitRepo, cli: Any) -> None:
    git_repo.commit(
        "base",
        {
            "tests/helpers.py": "def make():\n    return 1\n",
            "tests/test_a.py": "from helpers import make\n\n\ndef test_a():\n    assert make() == 1\n",
            "tests/test_b.py": "def test_b():\n    pass\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("change", {"tests/helpers.py": "def make():\n    return 1  # one\n"})
    assert picked(select(cli, git_repo)) == ["tests/test_a.py"]


def test_import_time_registry_reached_through_package_init(git_repo: GitRepo, cli: Any) -> None:
    git_repo.commit(
        "base",
        {
            "app/__init__.py": "from app import plugins\n",
            "app/registry.py": "REGISTRY = {}\n",
            "app/plugins/__init__.py": "from app.plugins import csv_plugin\n",
            "app/plugins/csv_plugin.py": "from app.registry import REGISTRY\nREGISTRY['csv'] = 1\n",
            "tests/test_registry.py": "from app.registry import REGISTRY\n\n\ndef test_r():\n    assert REGISTRY['csv'] == 1\n",
            "tests/test_none.py": "def test_n():\n    pass\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit(
        "change", {"app/plugins/csv_plugin.py": "from app.registry import REGISTRY\nREGISTRY['csv'] = 2\n"}
    )
    assert picked(select(cli, git_repo)) == ["tests/test_registry.py"]


def test_dynamic_import_by_string_and_prefix(git_repo: GitRepo, cli: Any) -> None:
    git_repo.commit(
        "base",
        {
            "app/__init__.py": "",
            "app/handlers/__init__.py": "",
            "app/handlers/json_h.py": "X = 1\n",
            "app/load.py": "import importlib\n\n\ndef load(n):\n    return importlib.import_module(f'app.handlers.{n}')\n",
            "app/settings.py": "HANDLER = 'app.handlers.json_h:X'\n",
            "tests/test_load.py": "from app.load import load\n\n\ndef test_l():\n    load('json_h')\n",
            "tests/test_settings.py": "import app.settings\n\n\ndef test_s():\n    pass\n",
        },
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit("change", {"app/handlers/json_h.py": "X = 2\n"})
    assert picked(select(cli, git_repo)) == ["tests/test_load.py", "tests/test_settings.py"]


def test_non_literal_dynamic_import_in_changed_module_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit(
        "dyn",
        {"shop/util.py": "import importlib\n\n\ndef ident(x):\n    return importlib.import_module(x)\n"},
    )
    assert trigger_codes(select(cli, git_repo)) == ["affected.dynamic-import"]


def test_syntax_error_in_changed_file_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("broken", {"shop/util.py": "def ident(x:\n"})
    details = select(cli, git_repo)
    assert (
        trigger_codes(details) == ["affected.unparsable"]
        and "syntax error" in details["triggers"][0]["message"]
    )


def test_non_utf8_changed_file_runs_all(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("latin", {"shop/util.py": b"# caf\xe9\ndef ident(x):\n    return x\n"})
    assert "not UTF-8" in select(cli, git_repo)["triggers"][0]["message"]


def test_parametrize_data_from_another_module(git_repo: GitRepo, cli: Any) -> None:
    shop(
        git_repo,
        {
            "tests/cases.py": "CASES = [1, 2]\n",
            "tests/test_param.py": "import pytest\nfrom tests.cases import CASES\n\n\n@pytest.mark.parametrize('c', CASES)\ndef test_p(c):\n    assert c\n",
        },
    )
    git_repo.commit("cases", {"tests/cases.py": "CASES = [1, 2, 0]\n"})
    assert picked(select(cli, git_repo)) == ["tests/test_param.py"]


def test_explain_selected_and_not(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # u\n"})
    yes = cli("affected", "--base", "main", "--explain", "tests/test_util.py::test_ident", cwd=git_repo.path)
    assert yes.code == 0 and "selected — imports shop/util.py via tests.test_util → shop.util" in yes.out
    no = cli("affected", "--base", "main", "--explain", "tests/test_cart.py::test_total", cwd=git_repo.path)
    assert "not selected" in no.out and "shop/cart.py" in no.out
    unknown = cli("affected", "--base", "main", "--explain", "nope.py::t", cwd=git_repo.path)
    assert "not a test file" in unknown.out


def test_result_lands_in_run_folder(git_repo: GitRepo, cli: Any, monkeypatch: Any, tmp_path: Any) -> None:
    shop(git_repo)
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # u\n"})
    monkeypatch.setenv("MAESTRO_RUN_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("MAESTRO_RUN_ID", "r1")
    res = cli("affected", "--base", "main", "--format", "markdown", cwd=git_repo.path)
    assert res.code == 0 and "| `tests/test_util.py` | imports shop/util.py" in res.out
    stored = json.loads((tmp_path / "runs" / "r1" / "affected.json").read_text())
    assert stored["gate"] == "affected" and stored["details"]["selected"][0]["test"] == "tests/test_util.py"


def test_bad_base_and_not_a_repo_exit_2(git_repo: GitRepo, cli: Any, tmp_path: Any) -> None:
    shop(git_repo)
    res = cli("affected", "--base", "nope", cwd=git_repo.path)
    assert res.code == 2 and "does not exist" in res.err
    empty = tmp_path / "plain"
    empty.mkdir()
    res = cli("affected", "--base", "main", cwd=empty)
    assert res.code == 2 and "not a git repository" in res.err


def test_worktree_head_and_default_base(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.write("shop/util.py", "def ident(x):\n    return x  # wip\n")
    res = cli(
        "affected",
        "--base",
        "main",
        "--head",
        "WORKTREE",
        "--format",
        "lines",
        "--no-record",
        cwd=git_repo.path,
    )
    assert res.out == "tests/test_util.py\n"
    git_repo.commit("wip")
    res = cli("affected", "--format", "json", "--no-record", cwd=git_repo.path)
    assert json.loads(res.out)["details"]["range"]["source"] == "merge-base"


def test_bad_maps_exit_2_in_precise_and_fall_back_in_auto(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    git_repo.commit("u", {"shop/util.py": "def ident(x):\n    return x  # u\n"})
    missing = cli("affected", "--base", "main", "--mode", "precise", "--no-record", cwd=git_repo.path)
    assert missing.code == 2 and "coverage map not found" in missing.err
    foreign = git_repo.path / "foreign.json"
    foreign.write_text(
        json.dumps(
            {"kind": "maestro-ci/affected-map", "schema_version": 1, "repository": "elsewhere", "commit": "c"}
        )
    )
    res = cli(
        "affected",
        "--base",
        "main",
        "--mode",
        "precise",
        "--map",
        str(foreign),
        "--no-record",
        cwd=git_repo.path,
    )
    assert res.code == 2 and "another repository" in res.err
    auto = select(cli, git_repo, "--mode", "auto", "--map", str(foreign))
    assert "another repository" in auto["map"] and picked(auto) == ["tests/test_util.py"]


def test_report_skips_broken_records(git_repo: GitRepo, cli: Any) -> None:
    shop(git_repo)
    folder = git_repo.path / ".maestro/affected/observations"
    folder.mkdir(parents=True)
    (folder / "0-bad.json").write_text("{")
    res = cli("affected", "report", "--no-record", cwd=git_repo.path)
    assert res.code == 0 and "not a valid observation" in res.err and "0 missed failure(s)" in res.out
