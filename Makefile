# Two set-up commands: `make run` and `make test`. Everything installs into .venv from the package registry.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test bench bench-quality clean locale

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py and the C sources too: an editable install compiles the extensions once, not when they change
$(STAMP): pyproject.toml setup.py pipeline/_mecab.c pipeline/_keywords.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEVSTAMP): pyproject.toml setup.py $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)  ## create .venv and install the package (again when pyproject.toml, setup.py or C changed)

install-dev: $(DEVSTAMP)  ## install the package with its test extras

run: $(STAMP)  ## install, then run the whole job on the embedded Otaru data
	$(BIN)/pubcom run

test: $(DEVSTAMP)  ## install the test extras, then run the whole test suite
	$(BIN)/python -m pytest

bench: $(STAMP)  ## speed and memory benchmarks (prints a table; not a pass/fail test)
	$(BIN)/python benchmarks/run.py

bench-quality: $(STAMP)  ## real-text quality beside plain baselines (Otaru, ../shared/realdev when present, messy sets)
	$(BIN)/python benchmarks/quality.py

locale: $(DEVSTAMP)  ## compile the message catalogues (pipeline/locale/*/LC_MESSAGES/pubcom.po -> .mo)
	$(BIN)/pybabel compile -d pipeline/locale -D pubcom

clean:  ## remove derived data, models and reports (never data/raw)
	rm -rf data/processed/* models/* reports/*
	@touch data/processed/.gitkeep models/.gitkeep reports/.gitkeep
