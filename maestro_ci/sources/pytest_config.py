"""What the repository's pytest configuration says that matters for selection.

``-p NAME`` plugins in ``addopts`` run for every test; ``--doctest-modules``
makes every module with doctests a test of its own. Read from the first of
``pytest.ini``, ``pyproject.toml``, ``tox.ini`` and ``setup.cfg`` that has a
pytest section (pytest's own order).
"""

from __future__ import annotations

import configparser
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PytestConfig:
    plugins: tuple[str, ...] = ()
    doctest_modules: bool = False
    source: str = ""


def _addopts(root: Path) -> tuple[str, str]:
    for name, section in (
        ("pytest.ini", "pytest"),
        ("pyproject.toml", ""),
        ("tox.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
    ):
        path = root / name
        if not path.is_file():
            continue
        try:
            if name == "pyproject.toml":
                data = tomllib.loads(path.read_text(encoding="utf-8"))
                opts = data.get("tool", {}).get("pytest", {}).get("ini_options")
                if opts is None:
                    continue
                value = opts.get("addopts", "")
                return (" ".join(value) if isinstance(value, list) else str(value)), name
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, configparser.Error):
            continue
        if parser.has_section(section):
            return parser.get(section, "addopts", fallback=""), name
    return "", ""


def read_pytest_config(root: Path) -> PytestConfig:
    text, source = _addopts(root)
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    plugins: list[str] = []
    for i, word in enumerate(words):
        if word == "-p" and i + 1 < len(words):
            plugins.append(words[i + 1])
        elif word.startswith("-p") and len(word) > 2:
            plugins.append(word[2:])
    plugins = [p for p in plugins if not p.startswith("no:")]
    return PytestConfig(tuple(plugins), "--doctest-modules" in words, source)
