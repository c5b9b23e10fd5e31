"""``selection:`` section of ``.maestro.yml`` (owned by the affected job)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from maestro_ci.sections.base import Section

RUN_ALL_DEFAULTS = [
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    "noxfile.py",
    "requirements*.txt",
    "requirements/",
    "constraints*.txt",
    "*.lock",
    "Pipfile",
    ".python-version",
    "runtime.txt",
    ".tool-versions",
    "/.maestro.yml",
    "/conftest.py",
    ".github/workflows/",
    ".github/actions/",
]
SAFE_DEFAULTS = [
    "/.maestro/",
    "docs/",
    "*.md",
    "*.rst",
    "*.png",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.svg",
    "*.ico",
    "LICENSE*",
    "COPYING*",
    "AUTHORS*",
    ".gitignore",
    ".gitattributes",
    ".github/CODEOWNERS",
    "CODEOWNERS",
    ".pre-commit-config.yaml",
    ".editorconfig",
]


class AffectedSection(Section):
    """Settings of the affected job (``maestro-ci affected`` and ``pytest --affected``)."""

    mode: Literal["static", "precise", "auto"] = Field(
        default="static",
        description="static: import graph only; precise: coverage map (falls back to static per "
        "file where the map is stale); auto: precise where a map exists, static elsewhere.",
    )
    test_patterns: list[str] = Field(
        default_factory=lambda: ["test_*.py", "*_test.py"],
        description="File name patterns of test files (pytest's python_files).",
    )
    run_all_on: list[str] = Field(
        default_factory=lambda: list(RUN_ALL_DEFAULTS),
        description="Gitignore-style globs: a change to a matching file runs every test. "
        "A .maestro.yml change only counts when its selection: section changed.",
    )
    safe: list[str] = Field(
        default_factory=lambda: list(SAFE_DEFAULTS),
        description="Gitignore-style globs of non-Python files that never affect a test (docs, images).",
    )
    map: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Non-Python files to tests: a gitignore-style glob of changed files mapped to "
        "globs of the test files they affect, e.g. {'shop/data/*.json': ['tests/test_catalog.py']}.",
    )
    extra_roots: list[str] = Field(
        default_factory=list,
        description="Extra folders that are on sys.path when tests run (besides the root, src/ and "
        "pytest's rootdir-relative test folders).",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Gitignore-style globs of files left out of the import graph (vendored code, "
        "test data that is not importable Python).",
    )
    coverage_map: str = Field(
        default=".maestro/affected-map.json",
        description="Path of the coverage map used by precise and auto modes (relative to the repo).",
    )
    doctests: bool | None = Field(
        default=None,
        description="Select modules with doctests as their own tests; null: when pytest's addopts "
        "has --doctest-modules.",
    )
    run_all_label: str = Field(
        default="maestro: run-all",
        description="Pull-request label that forces a full run (the commit trailer 'maestro: run-all' "
        "always does).",
    )
    cache: bool = Field(default=True, description="Cache file scans under .maestro/cache/ by content hash.")
