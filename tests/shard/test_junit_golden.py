"""Golden files: every producer's JUnit in junit_corpus/ parses to its case.expected.json.

Regenerate with ``UPDATE_GOLDEN=1 pytest tests/shard/test_junit_golden.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shard.golden import CORPUS, parse_case

FOLDERS = sorted(p for p in CORPUS.iterdir() if p.is_dir())
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_corpus_case_matches_golden(folder: Path) -> None:
    got = parse_case(folder)
    expected_path = folder / "case.expected.json"
    text = json.dumps(got, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(text, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path}; run with UPDATE_GOLDEN=1"
    assert json.loads(expected_path.read_text(encoding="utf-8")) == got


def test_corpus_covers_the_producers() -> None:
    names = {p.name for p in FOLDERS}
    for producer in (
        "pytest",
        "unittest_xml_reporting",
        "jest_junit",
        "maven_surefire",
        "gradle",
        "go_junit_report",
        "bazel",
        "mocha",
        "nunit_nested",
        "pytest_split_durations",
    ):
        assert producer in names


@pytest.fixture(scope="session")
def german_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("localedef") or not Path("/usr/share/i18n/locales/de_DE").exists():
        pytest.skip("localedef or the de_DE locale source is missing (Debian package 'locales')")
    where = tmp_path_factory.mktemp("locales")
    proc = subprocess.run(
        ["localedef", "-i", "de_DE", "-f", "UTF-8", str(where / "de_DE.UTF-8")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (where / "de_DE.UTF-8").exists(), proc.stderr
    return where


def test_corpus_parses_the_same_under_a_german_locale(german_locale: Path) -> None:
    env = {**os.environ, "LOCPATH": str(german_locale), "LC_ALL": "de_DE.UTF-8", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.shard.golden"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(proc.stdout)
    assert data["locale"].startswith("de_DE")
    for folder in FOLDERS:
        expected = json.loads((folder / "case.expected.json").read_text(encoding="utf-8"))
        assert data["cases"][folder.name] == expected, folder.name
