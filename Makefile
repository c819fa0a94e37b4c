# Review triage platform: `make run` (install + demo end to end) and `make test` (install + tests).
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export TRIAGE_HOME ?= $(CURDIR)/.triage
export DAGSTER_HOME := $(TRIAGE_HOME)/dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export PATH := $(BIN):$(PATH)

DEMO_DAYS ?= 30
DEMO_PER_DAY ?= 500

.PHONY: install run ui test lint format validate bench clean lock

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/triage demo-data --days $(DEMO_DAYS) --per-day $(DEMO_PER_DAY)
	$(BIN)/triage run

ui: install
	$(BIN)/triage init
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

validate: install
	$(BIN)/triage init
	$(BIN)/dagster definitions validate -w workspace.yaml

bench: install
	$(BIN)/python -m benchmarks

# Re-resolve the pinned set after changing pyproject.toml's dependencies.
lock:
	rm -rf /tmp/triage-lock-venv && $(PYTHON) -m venv /tmp/triage-lock-venv
	/tmp/triage-lock-venv/bin/pip install -q -e '.[dev]'
	/tmp/triage-lock-venv/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(TRIAGE_HOME)
