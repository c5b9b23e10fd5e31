"""What commands import: validating a file must not build rfc3987_syntax's grammar (~2 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_validate_does_not_import_rfc3987_syntax_and_leaves_it_importable(tmp_path: Path) -> None:
    (tmp_path / ".maestro.yml").write_text("version: 1\nmask:\n  replacment: x\n", encoding="utf-8")
    code = (
        "import sys, importlib.util\n"
        "from maestro_ci.cli import main\n"
        "code = main(['validate', '--no-record', '-C', sys.argv[1]])\n"
        "loaded = 'rfc3987_syntax' in sys.modules\n"
        "blocked = sys.modules.get('rfc3987_syntax', 'absent') is None\n"
        "print(code, loaded, blocked, 'jsonschema' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.splitlines()[-1].split() == ["2", "False", "False", "True"], proc.stdout + proc.stderr


def test_jsonschema_module_is_the_real_module() -> None:
    from maestro_ci.sources.yamlfile import jsonschema_module

    module = jsonschema_module()
    assert hasattr(module, "Draft202012Validator")
    assert jsonschema_module() is module
