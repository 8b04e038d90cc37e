# make run: open the app on the default database. make test: run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench bench-serve bench-pg clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/tui-crm

test: $(TEST_STAMP)
	$(BIN)/ruff check tui_crm tests bench
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check tui_crm tests bench

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

# `tui-crm serve` alone: over SSH against the app in tmux, 1 and 10 sessions, memory.
bench-serve: $(TEST_STAMP)
	$(BIN)/python bench/run.py --only serve

# PostgreSQL against SQLite alone: a cluster of the bench's own, the same demo data.
bench-pg: $(TEST_STAMP)
	$(BIN)/python bench/run.py --only pg

clean:
	rm -rf $(VENV)
