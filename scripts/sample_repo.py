"""Build the demo's sample repository: a small Python shop with tests and a git history.

    python scripts/sample_repo.py DIR

``main`` gets three commits; branch ``feature/discount`` changes the pricing
module and adds a test, which is the change the demo gates. Later demo steps
(``scripts/demo.d/``) may add files and commits of their own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FILES_V1 = {
    "pyproject.toml": """[project]
name = "shop"
version = "0.1.0"
requires-python = ">=3.11"

[tool.pytest.ini_options]
testpaths = ["tests"]
""",
    "README.md": "# shop\n\nA tiny shop used by the maestro-ci demo.\n",
    ".github/CODEOWNERS": "* @shop/maintainers\n/shop/pricing.py @shop/pricing\n/infra/ @shop/platform\n",
    "shop/__init__.py": '"""A tiny shop."""\n',
    "shop/pricing.py": '''"""Prices, taxes and discounts."""

TAX_RATE = 0.20


def with_tax(amount: float) -> float:
    return round(amount * (1 + TAX_RATE), 2)


def discount(amount: float, percent: float) -> float:
    if percent < 0 or percent > 100:
        raise ValueError("percent must be within 0..100")
    return round(amount * (100 - percent) / 100, 2)
''',
    "shop/cart.py": '''"""A shopping cart."""

from shop.pricing import discount, with_tax


class Cart:
    def __init__(self) -> None:
        self.items: list[tuple[str, float]] = []

    def add(self, name: str, price: float) -> None:
        self.items.append((name, price))

    def total(self, percent_off: float = 0) -> float:
        subtotal = sum(price for _, price in self.items)
        return with_tax(discount(subtotal, percent_off))
''',
    "shop/catalog.py": '''"""Products, registered at import time from a data file."""

import json
from pathlib import Path

REGISTRY: dict[str, float] = {}


def register(name: str, price: float) -> None:
    REGISTRY[name] = price


for _item in json.loads((Path(__file__).parent / "data" / "products.json").read_text()):
    register(_item["name"], _item["price"])
''',
    "shop/data/products.json": '[{"name": "apple", "price": 0.5}, {"name": "pear", "price": 0.75}]\n',
    "tests/__init__.py": "",
    "tests/conftest.py": """import pytest

from shop.cart import Cart


@pytest.fixture
def cart() -> Cart:
    return Cart()
""",
    "tests/test_pricing.py": """import time

import pytest

from shop.pricing import discount, with_tax


def test_with_tax() -> None:
    time.sleep(0.15)
    assert with_tax(10) == 12.0


@pytest.mark.parametrize("percent", [0, 10, 50, 100])
def test_discount(percent: float) -> None:
    time.sleep(0.05)
    assert discount(100, percent) == 100 - percent


def test_discount_rejects_bad_percent() -> None:
    with pytest.raises(ValueError):
        discount(1, 101)
""",
    "tests/test_cart.py": """import time

from shop.cart import Cart


def test_empty_cart(cart: Cart) -> None:
    assert cart.total() == 0


def test_total_with_discount(cart: Cart) -> None:
    time.sleep(0.3)
    cart.add("apple", 10)
    assert cart.total(50) == 6.0


def test_many_items(cart: Cart) -> None:
    time.sleep(0.2)
    for i in range(100):
        cart.add(f"item{i}", 1)
    assert cart.total() == 120.0
""",
    "tests/test_catalog.py": """import time

import pytest

from shop.catalog import REGISTRY


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_products_have_prices(name: str) -> None:
    time.sleep(0.1)
    assert REGISTRY[name] > 0
""",
}

FILES_V2 = {
    "shop/payments.py": '''"""Payment methods."""

METHODS = ("card", "invoice")


def accepts(method: str) -> bool:
    return method in METHODS
''',
    "tests/test_payments.py": """import time

from shop.payments import accepts


def test_card() -> None:
    time.sleep(0.25)
    assert accepts("card")


def test_cash_is_refused() -> None:
    time.sleep(0.05)
    assert not accepts("cash")
""",
}

FEATURE = {
    "shop/pricing.py": '''"""Prices, taxes and discounts."""

TAX_RATE = 0.20
MAX_PERCENT = 90


def with_tax(amount: float) -> float:
    return round(amount * (1 + TAX_RATE), 2)


def discount(amount: float, percent: float) -> float:
    if percent < 0 or percent > 100:
        raise ValueError("percent must be within 0..100")
    percent = min(percent, MAX_PERCENT)
    return round(amount * (100 - percent) / 100, 2)
''',
    "tests/test_pricing.py": """import time

import pytest

from shop.pricing import MAX_PERCENT, discount, with_tax


def test_with_tax() -> None:
    time.sleep(0.15)
    assert with_tax(10) == 12.0


@pytest.mark.parametrize("percent", [0, 10, 50])
def test_discount(percent: float) -> None:
    time.sleep(0.05)
    assert discount(100, percent) == 100 - percent


def test_discount_is_capped() -> None:
    assert discount(100, 100) == 100 - MAX_PERCENT


def test_discount_rejects_bad_percent() -> None:
    with pytest.raises(ValueError):
        discount(1, 101)
""",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo,
        check=True,
        capture_output=True,
        env={
            **_env(),
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        },
    )


def _env() -> dict[str, str]:
    import os

    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "Sam Shop",
        "GIT_AUTHOR_EMAIL": "sam@shop.invalid",
        "GIT_COMMITTER_NAME": "Sam Shop",
        "GIT_COMMITTER_EMAIL": "sam@shop.invalid",
    }


def build(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Sam Shop")
    git(repo, "config", "user.email", "sam@shop.invalid")
    git(repo, "config", "commit.gpgsign", "false")
    write(repo, FILES_V1)
    commit(repo, "Initial shop: pricing, cart and catalog", "2026-11-01T10:00:00Z")
    write(repo, FILES_V2)
    commit(repo, "Add payment methods", "2026-11-05T10:00:00Z")
    write(repo, {"README.md": "# shop\n\nA tiny shop used by the maestro-ci demo.\n\nRun `pytest`.\n"})
    commit(repo, "Document how to run the tests", "2026-11-08T10:00:00Z")
    git(repo, "checkout", "-q", "-b", "feature/discount")
    write(repo, FEATURE)
    commit(repo, "Cap discounts at 90%\n\nAdds a regression test for the cap.", "2026-11-20T10:00:00Z")
    return repo


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sample_repo.py DIR")
    print(build(Path(sys.argv[1])))
