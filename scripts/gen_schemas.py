"""Regenerate ``schemas/*.schema.json`` from the models (``make schemas``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from schema_registry import collect, schema_of

ROOT = Path(__file__).resolve().parent.parent


def render(name: str, model: type) -> str:
    return json.dumps(schema_of(name, model), indent=2, sort_keys=True) + "\n"


def main() -> int:
    out = ROOT / "schemas"
    out.mkdir(exist_ok=True)
    for name, model in collect().items():
        (out / f"{name}.schema.json").write_text(render(name, model), encoding="utf-8")
        print(f"wrote schemas/{name}.schema.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
