# 轻装 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QZ := $(BIN)/qingzhuang
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup install demo worker test test-sqlite test-postgres test-browser lint check bench clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

## The checkout's own settings (git-ignored), written once and never overwritten: the checkout's
## .venv/bin/qingzhuang then works without exporting QZ_ENV. Real environment variables win.
.env:
	@printf '# Written by make for this checkout (git-ignored). Real environment variables win.\nQZ_ENV=development\nSECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "wrote .env (QZ_ENV=development) for this checkout"

install: $(STAMP) .env

## Development server with the demo county on SQLite, plus the background worker.
run: install
	QZ_ENV=development $(QZ) migrate --no-input -v0
	QZ_ENV=development $(QZ) seed_demo --if-empty --scale $${QZ_DEMO_SCALE:-seed}
	@echo "轻装 is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@# Ctrl-C reaches the server and the worker directly; on the way out the shell stops the worker
	@# (if still running) and waits for it. Not 'trap "kill 0"': that signals this shell too, whose
	@# trap then runs again and again until bash overflows its stack ("Segmentation fault").
	@QZ_ENV=development $(QZ) db_worker --interval 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 0' INT TERM; \
	QZ_ENV=development $(QZ) runserver $(HOST):$(PORT)

worker: install
	QZ_ENV=development $(QZ) db_worker

## The whole suite: lint, migrations check, unit and API tests, browser tests (SQLite unless DATABASE_URL is set).
## The tests run in parallel over PYTEST_WORKERS processes (default 2; each has its own test database),
## a test file at a time per process (--dist loadfile: a module's shared fixtures are built once);
## PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= 2
test: install lint
	QZ_ENV=test $(QZ) makemigrations --check --dry-run
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check qingzhuang/lib

## Benchmarks on a throw-away SQLite database (DATABASE_URL is ignored); on PostgreSQL:
## QZ_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qz_bench make bench   (a scratch database)
## BENCH_ARGS=--quick make bench   imports 20,000 rows instead of 720,000.
bench: install
	env -u DATABASE_URL $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles var
