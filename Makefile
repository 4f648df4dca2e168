# The two commands a user needs: `make plan` and `make test`.
# Each sets up .venv (and installs the project into it) when missing or out of date:
# `make plan` only what the CLI needs, `make test` (and lint) the Airflow and test
# extras as well.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev
SAMPLE_EXTRACT := data/sample
SAMPLE_AS_OF := 2026-11-23

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: plan test test-slow test-all lint bench setup clean

setup: $(INSTALLED_DEV)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(INSTALLED_DEV): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[airflow,test]"
	touch $@

## plan: run the whole nightly planning job on the bundled sample extract
plan: $(INSTALLED)
	$(BIN)/planner run --extract $(SAMPLE_EXTRACT) --as-of $(SAMPLE_AS_OF) --out plans

## test: the fast test suite (a few minutes)
test: $(INSTALLED_DEV)
	$(BIN)/pytest -m "not slow"

## test-slow: the tests marked slow, and the property tests with more examples (CI runs both)
test-slow: $(INSTALLED_DEV)
	HYPOTHESIS_PROFILE=thorough $(BIN)/pytest -m "slow or hypothesis"

test-all: $(INSTALLED_DEV)
	$(BIN)/pytest

# sqlfluff's dbt templater opens the profile's DuckDB file: an in-memory one, so
# linting needs no warehouse folder and never waits for a running plan's lock
lint: $(INSTALLED_DEV)
	$(BIN)/ruff check planning tests bench dags
	$(BIN)/ruff format --check planning tests bench dags
	PLANNER_WAREHOUSE=:memory: $(BIN)/sqlfluff lint dbt_project

bench: $(INSTALLED)
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/mrp.py

clean:
	rm -rf plans warehouse target logs
