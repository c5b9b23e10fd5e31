"""Small builders for the affected tests: a shop-like repository with a feature branch."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import GitRepo

BASE_FILES = {
    "shop/__init__.py": "",
    "shop/pricing.py": "RATE = 2\n\n\ndef price(x):\n    y = x * RATE\n    return y\n\n\ndef other(x):\n    return x + 1\n",
    "shop/cart.py": "from shop.pricing import price\n\n\ndef total(items):\n    return sum(price(i) for i in items)\n",
    "shop/util.py": "def ident(x):\n    return x\n",
    "tests/__init__.py": "",
    "tests/test_pricing.py": "from shop.pricing import price, other\n\n\ndef test_price():\n    assert price(2) == 4\n\n\ndef test_other():\n    assert other(1) == 2\n",
    "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n    assert total([1, 2]) == 6\n",
    "tests/test_util.py": "from shop.util import ident\n\n\ndef test_ident():\n    assert ident(3) == 3\n",
    "README.md": "# shop\n",
}


def shop(repo: GitRepo, extra: dict[str, str] | None = None) -> GitRepo:
    repo.commit("base", {**BASE_FILES, **(extra or {})})
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def select(cli: Any, repo: GitRepo, *args: str) -> dict[str, Any]:
    """Run ``affected --format json`` and return the result's details (asserting exit 0)."""
    res = cli("affected", "--base", "main", "--format", "json", "--no-record", *args, cwd=repo.path)
    assert res.code == 0, res.err
    details: dict[str, Any] = json.loads(res.out)["details"]
    return details


def picked(details: dict[str, Any]) -> list[str]:
    return [s["test"] for s in details["selected"]]


def trigger_codes(details: dict[str, Any]) -> list[str]:
    return [t["code"] for t in details["triggers"]]
