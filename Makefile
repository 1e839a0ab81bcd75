# Storedesk — the two commands you need are `make run` and `make test`.
#
#   make run     set up .venv, migrate the embedded database under ./var, load the demo
#                store and serve http://127.0.0.1:8000 (HOST / PORT override)
#   make test    the whole test suite (unit, integration, browser)
#   make lint    ruff check, ruff format --check, mypy
#   make fmt     ruff format + ruff check --fix
#   make bench   the benchmarks (bench/run.py)
#   make clean   remove caches and build output (keeps .venv and ./var)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STOREDESK := $(VENV)/bin/storedesk
# Rewritten whenever requirements/lock.txt or pyproject.toml change: reinstall only then.
STAMP := $(VENV)/.storedesk-installed
UV := $(shell command -v uv 2>/dev/null)

HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make run` keeps its SQLite databases, media and secret key (tests use a temp dir).
STOREDESK_VAR_DIR ?= $(CURDIR)/var

PYTEST_ARGS ?=

.PHONY: help venv run test lint fmt bench clean

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'

$(PY):
ifneq ($(UV),)
	$(UV) venv --allow-existing --python 3.11 $(VENV)
else
	$(PYTHON) -m venv $(VENV)
endif

$(STAMP): requirements/lock.txt pyproject.toml | $(PY)
ifneq ($(UV),)
	$(UV) pip install --python $(PY) -r requirements/lock.txt
	$(UV) pip install --python $(PY) --no-deps -e .
else
	@$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --upgrade
	$(PY) -m pip install -r requirements/lock.txt
	$(PY) -m pip install --no-deps -e .
endif
	@touch $@

venv: $(STAMP)

# DEBUG=1 and a SECRET_KEY generated once into $(STOREDESK_VAR_DIR)/secret_key (so sessions
# survive restarts) unless SECRET_KEY is already set in the environment.
run: $(STAMP)
	@mkdir -p "$(STOREDESK_VAR_DIR)"
	@if [ -z "$${SECRET_KEY:-}" ] && [ ! -s "$(STOREDESK_VAR_DIR)/secret_key" ]; then \
		umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > "$(STOREDESK_VAR_DIR)/secret_key"; \
	fi
	@export STOREDESK_VAR_DIR="$(STOREDESK_VAR_DIR)"; \
	export DEBUG="$${DEBUG:-1}"; \
	export SECRET_KEY="$${SECRET_KEY:-$$(cat "$(STOREDESK_VAR_DIR)/secret_key")}"; \
	$(STOREDESK) migrate --noinput -v 1; \
	$(STOREDESK) demo; \
	exec $(STOREDESK) serve --host "$(HOST)" --port "$(PORT)"

test: $(STAMP)
	@mkdir -p test-artifacts
	$(PY) -m pytest $(PYTEST_ARGS)

# Runs all three even when one fails, so one run shows every problem.
lint: $(STAMP)
	@status=0; \
	echo "ruff check ."; $(VENV)/bin/ruff check . || status=1; \
	echo "ruff format --check ."; $(VENV)/bin/ruff format --check . || status=1; \
	echo "mypy storedesk config"; $(VENV)/bin/mypy storedesk config || status=1; \
	exit $$status

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	@if [ -f bench/run.py ]; then $(PY) bench/run.py; else echo "bench/run.py does not exist yet: nothing to run."; fi

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
