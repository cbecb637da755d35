# The verbs people expect. Everything installs into .venv from the hashed lock files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FORCEB_SHARED_DATA ?= $(abspath ../shared/data)
export FORCEB_SHARED_DATA

.PHONY: demo install install-dev test test-fast test-postgres lint bench sbom browser clean

$(VENV)/.runtime: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
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

sbom: install
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/cyclonedx-py environment --of JSON -o sbom.cdx.json $(VENV)
	@echo "wrote sbom.cdx.json"

browser:
	@scripts/install-browser.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
