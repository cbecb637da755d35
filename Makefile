# The verbs people expect. Everything installs into .venv from the hashed lock files.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip's notes about configured local mirrors that do not exist say nothing about this install.
QUIET_PIP := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FORCEB_SHARED_DATA ?= $(abspath ../shared/data)
export FORCEB_SHARED_DATA

.PHONY: demo install install-dev test test-fast test-postgres lint bench sbom browser clean

$(VENV)/.runtime: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock $(QUIET_PIP)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . $(QUIET_PIP)
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock $(QUIET_PIP)
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

## make demo: install, prepare an embedded SQLite database with a demo sector, serve on 127.0.0.1:$${FORCEB_PORT:-8000}
demo: install
	FORCEB_HTTPS=$${FORCEB_HTTPS:-0} $(BIN)/forceb migrate --no-input -v 0
	FORCEB_HTTPS=$${FORCEB_HTTPS:-0} $(BIN)/forceb seed-demo
	FORCEB_HTTPS=$${FORCEB_HTTPS:-0} $(BIN)/forceb serve --port $${FORCEB_PORT:-8000}

## make test: the whole suite (browser tests included) on the configured database (SQLite by default)
test: install-dev browser
	$(BIN)/python -m pytest

test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow"

test-postgres: install-dev browser
	scripts/with-postgres.sh $(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/forceb makemigrations --check --dry-run

bench: install-dev
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## make sbom: the CycloneDX SBOM of what the platform ships (the runtime lock, installed alone)
sbom: install-dev
	rm -rf $(VENV)-sbom && $(PYTHON) -m venv $(VENV)-sbom
	$(VENV)-sbom/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock $(QUIET_PIP)
	$(VENV)-sbom/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation . $(QUIET_PIP)
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --of JSON --sv 1.6 --output-reproducible -o sbom.cdx.json $(VENV)-sbom/bin/python
	rm -rf $(VENV)-sbom
	@echo "wrote sbom.cdx.json"

browser:
	@scripts/install-browser.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
