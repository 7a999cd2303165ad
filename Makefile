# center — the two commands: `make run` and `make test` (plus `make bench`).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench screenshots install install-test migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: set up, migrate, load the demo district on first start, serve on http://$(HOST):$(PORT)
run: install
	CENTER_DEMO=1 $(BIN)/center migrate
	CENTER_DEMO=1 $(BIN)/center demo --if-empty
	CENTER_DEMO=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/center serve

## make test: unit + integration on SQLite, integration on PostgreSQL when one answers, e2e in Chromium
test: install-test
	bash scripts/test.sh

## make screenshots: retake the README's screenshots (docs/screenshots/) from a run of the e2e journeys
screenshots: install-test
	bash scripts/screenshots.sh

## make bench: the figures of bench/run.py beside their targets and ceilings (BENCH_ARGS=--quick for a smoke run)
bench: install-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

migrate: install
	$(BIN)/center migrate

clean:
	rm -rf $(VENV) build *.egg-info e2e/artifacts
