"""The import graph on real file trees: names, edges, cache, bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maestro_ci.sources.graph_cache import CACHE_FILE
from maestro_ci.sources.importgraph import build_graph
from maestro_ci.sources.pyscan import scan_source
from tests.conftest import GitRepo


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())


def test_interface_names_edges_importers(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from . import b\nfrom .sub import c as _c\n",
            "pkg/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg import d\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "def f():\n    import pkg.d\n",
            "pkg/d.py": "X = __import__('pkg.e')\n",
            "pkg/e.py": "",
            "tests/test_a.py": "import pkg.a\n",
        },
    )
    g = build_graph(tmp_path, cache=False)
    assert g.modules["pkg.a"] == "pkg/a.py" and g.module_of("pkg/sub/c.py") == "pkg.sub.c"
    assert g.imports["pkg.a"] >= {"pkg.b", "pkg.sub", "pkg.sub.c", "pkg"}
    assert (
        "pkg.d" in g.imports["pkg.b"] and "pkg.d" in g.imports["pkg.sub.c"] and "pkg.e" in g.imports["pkg.d"]
    )
    assert g.module_of("tests/test_a.py") == "test_a"
    assert g.importers_of(["pkg.e"]) >= {"pkg.d", "pkg.b", "pkg.a", "test_a", "pkg.sub.c"}
    assert g.chain("test_a", {"pkg.e"})[0] == "test_a" and g.chain("test_a", {"pkg.e"})[-1] == "pkg.e"
    assert g.chain("pkg.e", {"test_a"}) == []
    assert g.module_of("nope.py") is None


def test_pytest_plugins_and_namespace_and_src(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/ns/one/mod.py": "import ns.two.mod\n",
            "src/ns/two/mod.py": "",
            "tests/conftest.py": "pytest_plugins = ['fixtures.db']\n",
            "tests/fixtures/db.py": "import ns.one.mod\n",
            "tests/test_x.py": "",
        },
    )
    g = build_graph(tmp_path, cache=False)
    assert g.module_of("src/ns/one/mod.py") == "ns.one.mod"
    assert "ns.two.mod" in g.imports["ns.one.mod"]
    assert "fixtures.db" in g.imports["conftest"]
    assert "conftest" in g.importers_of(["ns.two.mod"])


def test_cache_hits_and_corrupt_cache_is_rebuilt(git_repo: GitRepo) -> None:
    git_repo.commit("x", {"a.py": "import b\n", "b.py": ""})
    first = build_graph(git_repo.path)
    assert first.cache_hits == 0
    assert build_graph(git_repo.path).cache_hits == 2
    (git_repo.path / "b.py").write_text("import a\n")
    again = build_graph(git_repo.path)
    assert again.cache_hits == 1 and "a" in again.imports["b"]
    (git_repo.path / CACHE_FILE).write_text("{not json")
    broken = build_graph(git_repo.path)
    assert broken.cache_hits == 0 and "corrupt graph cache" in broken.warnings[0]
    (git_repo.path / CACHE_FILE).write_text(json.dumps({"kind": "someone-else"}))
    assert "not a maestro-ci graph cache" in build_graph(git_repo.path).warnings[0]
    assert build_graph(git_repo.path, ref="HEAD").imports["a"] == frozenset({"b"})


def test_unreadable_files_are_errors_not_crashes(tmp_path: Path) -> None:
    write(tmp_path, {"ok.py": "", "bad.py": "def (:\n", "latin.py": b"x = '\xe9'\n"})
    os.symlink("loop.py", tmp_path / "loop.py")
    g = build_graph(tmp_path, cache=False)
    assert "syntax error" in g.errors["bad.py"] and "not UTF-8" in g.errors["latin.py"]
    assert "not readable" in g.errors["loop.py"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_scan_never_raises_on_random_bytes(data: bytes) -> None:
    scan = scan_source(data)
    assert scan.error is None or isinstance(scan.error, str)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="import from . ()abc,\n_=[]'\"f{}+", max_size=120))
def test_scan_never_raises_on_import_like_text(text: str) -> None:
    scan = scan_source(text.encode())
    assert isinstance(scan.imports, list)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("importlib.import_module(name)\n", "dynamic"),
        ("importlib.import_module('.x', 'pkg')\n", "imports"),
        ("importlib.import_module('.x')\n", "dynamic"),
        ("__import__('a.' + n)\n", "prefixes"),
        ("pytest_plugins = [name]\n", "dynamic"),
        ("pytest_plugins = 'a.b'\n", "imports"),
    ],
)
def test_dynamic_import_forms(source: str, kind: str) -> None:
    assert getattr(scan_source(source.encode()), kind)
