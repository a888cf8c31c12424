# The two commands of the README: `make demo` and `make test`. Both create the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: env demo test lint typecheck unit clean chromium accuracy bench

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

# The HTML report tests open the page in Debian's headless chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

unit: env chromium
	$(BIN)/pytest

test: lint typecheck unit

# Accuracy against expert assessors: needs the calibration checkouts (see benchmarks/accuracy.py).
CALIBRATION ?= ../shared/calibration/expected.json
CHECKOUTS ?= ../calibration
accuracy: env
	$(BIN)/python -m benchmarks.accuracy $(CALIBRATION) $(CHECKOUTS)

# Benchmarks (never run by the tests); each prints its figures and a last line `name: key=value ...`.
ORG_REPOS ?= 1000
ORG_LATENCY_MS ?= 20
bench: env
	$(BIN)/python -m benchmarks.org_scan --repos $(ORG_REPOS) --latency-ms $(ORG_LATENCY_MS)
	$(BIN)/python -m benchmarks.bench_github

clean:
	rm -rf $(VENV) aiops-demo .pytest_cache .mypy_cache .ruff_cache
