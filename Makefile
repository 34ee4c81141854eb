# Crimebook — `make help` lists the targets. The two commands a newcomer needs:
#   make demo   set everything up and run the demo workspace (SQLite, http://127.0.0.1:8000)
#   make test   set everything up and run every check and the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Crimebook with its development tools

demo: $(STAMP) ## Build the fictitious demo data set and serve it on http://127.0.0.1:8000
	$(BIN)/crimebook demo

lint: $(STAMP) ## ruff, mypy --strict, and the migrations check
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	CRIMEBOOK_DATA_DIR=$$(mktemp -d) $(BIN)/django-admin makemigrations --check --dry-run --settings=crimebook.settings

test-sqlite: $(STAMP) ## The test suite on the embedded SQLite database
	CRIMEBOOK_DATA_DIR=$$(mktemp -d) $(BIN)/pytest

test-postgres: $(STAMP) ## The test suite on PostgreSQL (PG_URL=...); skipped with a reason if none runs
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  CRIMEBOOK_DATA_DIR=$$(mktemp -d) CRIMEBOOK_DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	else echo "SKIPPED PostgreSQL run: no server answers at $(PG_URL) (set PG_URL to run it)"; fi

test-fast: $(STAMP) ## Quick loop: SQLite only, slow tests skipped
	CRIMEBOOK_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -m "not slow" -q

deps-test: ## Debian's chromium and age for the browser test (installed only if missing, only as root)
	@if command -v age >/dev/null && test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium age; \
	else echo "deps-test: chromium/age missing and not root: the browser test will be skipped"; fi

test: deps-test lint test-sqlite test-postgres ## Everything CI runs: lint, then the suite on SQLite and on PostgreSQL

vendor: ## Re-fetch Leaflet, markercluster and the Belarus outline (pinned, SHA-256 checked) with npm
	$(PYTHON) scripts/vendor_map.py

vendor-check: ## Check the vendored map files against their SHA256SUMS
	$(PYTHON) scripts/vendor_map.py --check

messages: $(STAMP) ## Regenerate and compile the ru/be catalogs
	cd src/crimebook && CRIMEBOOK_DATA_DIR=$$(mktemp -d) DJANGO_SETTINGS_MODULE=crimebook.settings \
	  $(abspath $(BIN))/django-admin makemessages -l ru -l be --no-obsolete --ignore "*/migrations/*" --settings=crimebook.settings
	cd src/crimebook && CRIMEBOOK_DATA_DIR=$$(mktemp -d) DJANGO_SETTINGS_MODULE=crimebook.settings \
	  $(abspath $(BIN))/django-admin compilemessages --settings=crimebook.settings

clean: ## Remove the virtualenv and the local data directory (demo data and keys!)
	rm -rf $(VENV) var

.PHONY: help install demo lint deps-test test test-sqlite test-postgres test-fast vendor vendor-check messages clean
