from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from maestro_ci import __version__
from maestro_ci.cli import COMMANDS, main


def test_version(cli) -> None:
    res = cli("--version")
    assert res.code == 0
    assert res.out == f"maestro-ci {__version__}\n"


def test_help_lists_every_command(cli) -> None:
    res = cli("--help")
    assert res.code == 0
    for name in COMMANDS:
        assert f"  {name}" in res.out


def test_no_arguments_is_a_usage_error(cli) -> None:
    res = cli()
    assert res.code == 2
    assert "usage:" in res.out


def test_unknown_command_suggests(cli) -> None:
    res = cli("valdate")
    assert res.code == 2
    assert "did you mean 'validate'" in res.err


def test_every_command_module_exists_and_has_help(cli) -> None:
    for name in COMMANDS:
        res = cli(name, "--help")
        assert res.code == 0, (name, res.err)
        assert f"maestro-ci {name}" in res.out


def test_bad_flag_exits_2(cli) -> None:
    res = cli("git-state", "--format", "yaml")
    assert res.code == 2
    assert "invalid choice" in res.err


def test_internal_error_exits_3_with_a_crash_note(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import maestro_ci.commands.git_state as mod

    def boom(*_: object) -> int:
        raise RuntimeError("token=abcdef123456 went wrong")

    monkeypatch.setattr(mod, "run", boom)
    res = cli("git-state")
    assert res.code == 3
    assert "internal error: RuntimeError" in res.err
    assert "abcdef123456" not in res.err  # even a crash note is masked
    assert "Traceback" not in res.err


def test_keyboard_interrupt_exits_130(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import maestro_ci.commands.git_state as mod

    def stop(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(mod, "run", stop)
    assert cli("git-state").code == 130


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "maestro_ci", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("maestro-ci ")


def test_cli_import_is_light() -> None:
    heavy = ("pydantic", "jsonschema", "httpx", "junitparser", "coverage", "yaml")
    code = f"import sys, maestro_ci.cli\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_help_of_a_command_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from maestro_ci.cli import main\n"
        "try:\n    main(['git-state', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(','.join(m for m in ('pydantic','jsonschema','httpx','junitparser','coverage') "
        "if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == ""


def test_main_accepts_none_and_reads_sys_argv(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["maestro-ci", "--version"])
    assert main() == 0
    assert __version__ in capsys.readouterr().out


def test_repo_flag_must_be_a_directory(cli, tmp_path: Path) -> None:
    res = cli("git-state", "-C", str(tmp_path / "missing"))
    assert res.code == 2
    assert "not a directory" in res.err
