# The two commands of the README: `make demo` and `make test`. Both create the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: env demo test lint typecheck unit clean chromium accuracy bench fuzz

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
	$(BIN)/lint-imports --no-cache  # the layers: [tool.importlinter] in pyproject.toml

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

# The property tests with many more examples (profile "fuzz" in tests/conftest.py); failures are kept in .hypothesis/.
fuzz: env
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/fuzz

# Accuracy against expert assessors: needs the calibration checkouts (see benchmarks/accuracy.py).
CALIBRATION ?= ../shared/calibration/expected.json
CHECKOUTS ?= ../calibration
accuracy: env
	$(BIN)/python -m benchmarks.accuracy $(CALIBRATION) $(CHECKOUTS)

# Performance benchmarks (issue 11); never run by the tests. Each prints a last line `name: key=value ...`.
# The local-scan repository is generated once and cached under BENCH_CACHE.
BENCH_CACHE ?= /tmp/aiops-bench-local-scan
ORG_REPOS ?= 1000
ORG_LATENCY_MS ?= 20
bench: env
	$(BIN)/python -m benchmarks.local_scan --files 50000 --commits 10000 --cache $(BENCH_CACHE)
	$(BIN)/python -m benchmarks.rules --repos 1000
	$(BIN)/python -m benchmarks.org_scan --repos $(ORG_REPOS) --latency-ms $(ORG_LATENCY_MS)
	$(BIN)/python -m benchmarks.bench_scan
	$(BIN)/python -m benchmarks.bench_mlflow
	$(BIN)/python -m benchmarks.bench_github

clean:
	rm -rf $(VENV) aiops-demo .pytest_cache .mypy_cache .ruff_cache
