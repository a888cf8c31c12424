# The two commands of the README: `make demo` and `make test`. Both create the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: env demo test lint typecheck unit clean

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: env
	$(BIN)/aiops-scan demo --out aiops-demo

lint: env
	$(BIN)/ruff check scanner probes tests benchmarks
	$(BIN)/ruff format --check scanner probes tests benchmarks

typecheck: env
	$(BIN)/mypy

unit: env
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) aiops-demo .pytest_cache .mypy_cache .ruff_cache
