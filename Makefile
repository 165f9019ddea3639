# Two commands do everything on a fresh clone: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test env assets lint format check bench bench-audit profile clean-data invariants

## Create the virtual environment from the lock file and build the front-end assets.
env: $(VENV)/.synced static/dist/.built

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed scripts/build-assets.mjs $(shell find static/src -type f 2>/dev/null)
	npm run --silent build
	touch $@

assets: static/dist/.built

## Start everything (embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set).
run: env
	scripts/system-packages.sh
	$(PY) scripts/stack.py run

## The whole suite, browser tests included, in TEST_PROCESSES pytest-xdist workers (each its own
## test database and Redis database; tests are handed out as workers free up). Much of the suite
## waits on PostgreSQL, Chromium or a subprocess, so a 2-core machine runs 3 well.
## TEST_PROCESSES=0 runs it in one process.
TEST_PROCESSES ?= 3
test: env
	scripts/system-packages.sh --browser --pgbouncer
	$(PY) scripts/stack.py test -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

## ruff, djLint, and the import contracts in pyproject.toml (the layers: docs/adr/0011).
lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Migrations are in step with the models, and production settings pass the deploy checks.
check: env
	$(PY) scripts/stack.py up >/dev/null
	DJANGO_SETTINGS_MODULE=publicprotection.settings.dev $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') ALLOWED_HOSTS=pp.example.org \
		DJANGO_SETTINGS_MODULE=publicprotection.settings.production $(PY) manage.py check --deploy --fail-level WARNING

## Benchmarks on the dev database (not part of `make test`); see benchmarks/README.md.
## BENCH_ARGS="--incidents 100000" tops the dataset up first; "--no-generate" uses what is there.
bench: env
	scripts/system-packages.sh  # HarfBuzz subsetting: without it every agenda PDF is 0.35 s slower
	$(PY) scripts/stack.py up >/dev/null
	$(PY) -m benchmarks.run $(BENCH_ARGS)

## The access log at scale (benchmarks/audit.py): AUDIT_BENCH_ARGS="--rows 50000000" fills it
## with generate_series first (it only adds rows: use a database of its own), "--no-generate" times
## what is there.
bench-audit: env
	$(PY) scripts/stack.py up >/dev/null
	$(PY) -m benchmarks.audit $(AUDIT_BENCH_ARGS)

## Where one benchmark page spends its time in process (SQL, the rest, cProfile's busiest
## functions): PAGE="incident list (name q)" (a part of a name in benchmarks/run.py pages()).
profile: env
	$(PY) scripts/stack.py up >/dev/null
	$(PY) -m benchmarks.profile "$(PAGE)"

## The safeguarding invariants over many random sequences of service calls (tests/test_invariants.py):
## prints how many sequences ran and any violation (shrunk to its shortest sequence).
## Split across INVARIANT_PROCESSES processes (seeds 1..N): each sequence is a chain of small
## queries, so one process leaves a core idle (0.7 s a sequence in one process, quiet).
INVARIANT_SEQUENCES ?= 10000
INVARIANT_PROCESSES ?= 4
invariants: env
	$(PY) scripts/stack.py invariants $(INVARIANT_SEQUENCES) $(INVARIANT_PROCESSES)

clean-data:
	$(PY) scripts/stack.py down || true
	rm -rf var/pgdata var/redis var/pg.port var/redis.port var/stack.env
