# maestro-ci: every target sets itself up from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/*.txt 2>/dev/null | $(PY) -c "import sys,hashlib;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])")

.PHONY: all demo test lint types pytest bench schemas docs clean

all: test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,train]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	bash scripts/demo.sh

lint: $(STAMP)
	$(BIN)/ruff check maestro_ci tests scripts benchmarks
	$(BIN)/ruff format --check maestro_ci tests scripts benchmarks

types: $(STAMP)
	$(BIN)/mypy --strict maestro_ci

pytest: $(STAMP)
	$(BIN)/python -m pytest --cov=maestro_ci --cov-report=term --cov-fail-under=85 -p no:randomly

test: lint types pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench,train]'
	$(BIN)/python benchmarks/run_all.py

schemas: $(STAMP)
	$(BIN)/python scripts/gen_schemas.py
	$(BIN)/python scripts/gen_config_docs.py

clean:
	rm -rf $(VENV) demo-out .maestro .pytest_cache .mypy_cache .ruff_cache .coverage build *.egg-info
