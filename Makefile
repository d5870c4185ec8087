# The README's commands. `make help` lists them.
#
# Every recipe runs as one bash script (.ONESHELL) that stops at the first
# failing command, so multi-line recipes read like the shell they are.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make run needs only requirements.txt; the other targets the development tools too.
RUN_STAMP := $(VENV)/.installed-run

# make run
PORT ?= 8000
# make test: the PostgreSQL pass (the SQLite pass needs nothing).
PG_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts
# make test and test-fast: the SQLite database (its test database is in memory for make test; make
# test-fast keeps it in SQLITE_TEST_FILE to reuse it), and the Redis database of the real Celery
# worker's tests. Another checkout on the same machine sets its own (see the README's Development).
SQLITE_URL ?= sqlite:///$${TMPDIR:-/tmp}/tradepacts-test.sqlite3
SQLITE_TEST_FILE ?= $${TMPDIR:-/tmp}/tradepacts-test-fast.sqlite3
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_REDIS_URL
# Where make test keeps each pass's output and the totals (.ci/run prints them).
ARTIFACTS ?= artifacts
# make bench: their own databases, never DATABASE_URL's (they fill them with synthetic rows). The trade
# refresh's has its 320 agreements only, not the agreements bench's 100,000 random ones (see README).
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_bench
TRADE_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_trade_bench
# Emptied (schema dropped and recreated) on every run: the registry import into an empty database.
REGISTRY_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_registry_bench
# Emptied on every run too: the real default data set (issue 14), imported and refreshed.
DATA_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_data_bench
# Emptied on every run: the 106-party change page, 100,000 agreements and 1,000,000 trade figures imported as jobs.
CURATION_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_curation_bench
# make loadtest: its own database, created and filled with 100,000 synthetic agreements if needed.
LOADTEST_URL ?= postgres://postgres@127.0.0.1:5432/tradepacts_load
LOADTEST_SECONDS ?= 60
LOADTEST_USERS ?= 8
# make prod
PROD_BIND ?= 127.0.0.1:8000
WEB_WORKERS ?= 4
# Threads per gunicorn worker (gthread): a long CSV download (or one waiting its turn) holds one
# thread, never a whole worker. A worker accepts connections whatever its threads are doing, and a
# reader's kept-alive connection stays with its worker: with 4 threads, downloads held all of some
# worker's and its readers' pages waited seconds behind them (make loadtest: p99 2-4 s; with 8, 140 ms).
WEB_THREADS ?= 8
CELERY_CONCURRENCY ?= 2
BEAT_SCHEDULE ?= /tmp/tradepacts-celerybeat-schedule

MANAGE := $(BIN)/python manage.py
PYTEST := $(BIN)/pytest -p no:cacheprovider --create-db
# make test-fast: none of these (make test runs them all).
FAST_SKIPS := not postgres and not browser and not celery_worker and not slow

.PHONY: help venv install run test test-fast lint format check prod bench loadtest faults

help:  ## List the targets.
	@grep -E '^[a-z][a-z ]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# --- environment -------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file is newer than the last install.
$(RUN_STAMP): requirements.txt | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv install: $(STAMP)  ## Create .venv (python3.11) and install requirements-dev.txt, if out of date.

# --- development -------------------------------------------------------------

run: $(RUN_STAMP)  ## Migrate SQLite, load the demo data and the registry's datasets, and serve on http://127.0.0.1:8000/ (PORT=...).
	@export DEBUG=1  # the demo admin is created only in a DEBUG run on a local database
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) load_registry  # DESTA, the WTO RTA list, GPTAD (agreements/data/); unchanged files skipped
	$(MANAGE) load_data  # WTO and COW trade, HS2 detail, World Bank rates, corridor figures; unchanged files skipped
	$(MANAGE) ensure_demo_admin
	echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/). Ctrl-C stops."
	exec $(MANAGE) runserver 127.0.0.1:$(PORT)

define PG_PROBE
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except psycopg.OperationalError:
    try:
        psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=5).close()
    except psycopg.OperationalError as error:
        sys.exit(str(error).strip())
endef
export PG_PROBE

# Two passes: SQLite (everything not marked postgres), then PostgreSQL (all).
# Unreachable PostgreSQL fails the run under CI=true and only warns otherwise.
# --create-db: a schema change never meets a stale test database.
test: install  ## Run the suite on SQLite, then on PostgreSQL (PG_URL=...).
	@mkdir -p $(ARTIFACTS)
	totals=$(ARTIFACTS)/test-totals.txt
	: > "$$totals"
	failed=0
	last_line() { sed -E 's/\x1b\[[0-9;]*m//g' "$$1" | tail -n 1 | sed -E 's/^=+ //; s/ =+$$//'; }

	echo "=== Pass 1/2: SQLite (-m 'not postgres') ==="
	if DATABASE_URL="$(SQLITE_URL)" TEST_DATABASE=sqlite \
	     $(PYTEST) -m "not postgres" | tee $(ARTIFACTS)/test-sqlite.log; then :; else failed=1; fi
	echo "SQLite:     $$(last_line $(ARTIFACTS)/test-sqlite.log)" >> "$$totals"

	echo "=== Pass 2/2: PostgreSQL ($(PG_URL)) ==="
	# Reachable: the server answers, in PG_URL's database or in "postgres" (the
	# one Django uses to create test_<name>).
	if problem=$$($(BIN)/python -c "$$PG_PROBE" "$(PG_URL)" 2>&1); then
	  if DATABASE_URL="$(PG_URL)" TEST_DATABASE=postgres \
	       $(PYTEST) | tee $(ARTIFACTS)/test-postgres.log; then :; else failed=1; fi
	  echo "PostgreSQL: $$(last_line $(ARTIFACTS)/test-postgres.log)" >> "$$totals"
	else
	  echo "PostgreSQL: NOT RUN, cannot connect to $(PG_URL)" >> "$$totals"
	  {
	    echo "!!! PostgreSQL is not reachable at $(PG_URL):"
	    echo "$$problem" | sed 's/^/!!!   /'
	    echo "!!! Start it (the README's Quick start says how it is expected to run),"
	    echo "!!! or point PG_URL at another server."
	  } >&2
	  ci=$${CI:-}
	  case "$${ci,,}" in
	    1|true|yes) echo "!!! CI: the PostgreSQL pass is required; failing." >&2; failed=1 ;;
	    *) echo "!!! WARNING: skipping the PostgreSQL pass; this run is NOT a full test run." >&2 ;;
	  esac
	fi

	echo "=== Test totals ==="
	cat "$$totals"
	exit $$failed

# The inner loop: SQLite only, the test database kept in a file between runs (--reuse-db: new
# migrations are applied to it; after editing one, delete SQLITE_TEST_FILE), and no test marked
# browser, celery_worker, slow or postgres. make test runs every test.
test-fast: install  ## A fast subset on SQLite, reusing its test database: no browser, celery_worker or slow tests.
	@DATABASE_URL="$(SQLITE_URL)" TEST_DATABASE=sqlite TEST_SQLITE_FILE="$(SQLITE_TEST_FILE)" \
	  $(BIN)/pytest -p no:cacheprovider --reuse-db -m "$(FAST_SKIPS)"

lint: install  ## ruff (lint, formatting), import-linter (the layering, .importlinter), mypy (mypy.ini).
	@status=0
	$(BIN)/ruff check . || status=1
	$(BIN)/ruff format --check . || status=1
	$(BIN)/lint-imports || status=1
	$(BIN)/mypy || status=1
	exit $$status

format: install  ## ruff: apply safe fixes and format.
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The deploy check uses dummy production values; it connects to nothing.
check: install  ## Migrations match the models; production settings pass check --deploy.
	@status=0
	echo "--- makemigrations --check"
	$(MANAGE) makemigrations --check --dry-run || status=1
	echo "--- check --deploy --fail-level WARNING (dummy production values)"
	DEBUG=0 \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=tradepacts.example.org \
	DATABASE_URL=postgres://tradepacts@db.example.org:5432/tradepacts \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	  $(MANAGE) check --deploy --fail-level WARNING || status=1
	exit $$status

# The whole production stack on one machine, in the foreground: gunicorn
# ($(WEB_WORKERS) workers on $(PROD_BIND), for a TLS proxy in front), one Celery
# worker and exactly one Celery beat. Ctrl-C (or any process exiting) stops all.
prod: install  ## Run gunicorn, a Celery worker and beat (needs DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, SECRET_KEY, ALLOWED_HOSTS).
	@missing=""
	for name in DATABASE_URL CELERY_BROKER_URL CACHE_URL SECRET_KEY ALLOWED_HOSTS; do
	  [ -n "$${!name:-}" ] || missing="$$missing $$name"
	done
	if [ -n "$$missing" ]; then
	  echo "make prod: set$$missing in the environment (see .env.example)." >&2
	  exit 2
	fi
	$(MANAGE) check --deploy
	# settings.py picks the hashed-manifest storage only once STATIC_ROOT exists,
	# so create it first: the very first collectstatic must write the manifest.
	mkdir -p "$${STATIC_ROOT:-$(CURDIR)/staticfiles}"
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) migrate --noinput
	pids=()
	stop() {
	  trap - INT TERM EXIT
	  echo "make prod: stopping ($${pids[*]})" >&2
	  kill -TERM "$${pids[@]}" 2>/dev/null || true
	  wait "$${pids[@]}" 2>/dev/null || true
	}
	trap 'stop; exit 130' INT
	trap 'stop; exit 143' TERM
	trap stop EXIT
	$(BIN)/gunicorn tradepacts.wsgi:application --bind $(PROD_BIND) --workers $(WEB_WORKERS) \
	  --worker-class gthread --threads $(WEB_THREADS) \
	  --access-logfile - --graceful-timeout 30 & pids+=($$!)
	$(BIN)/celery -A tradepacts worker --loglevel INFO --concurrency $(CELERY_CONCURRENCY) & pids+=($$!)
	$(BIN)/celery -A tradepacts beat --loglevel INFO --schedule $(BEAT_SCHEDULE) & pids+=($$!)
	echo "make prod: gunicorn, celery worker and beat running ($${pids[*]}); Ctrl-C stops them."
	# The first process to exit, for whatever reason, takes the others down.
	wait -n -p exited "$${pids[@]}" && status=0 || status=$$?
	echo "make prod: process $${exited:-?} exited (status $$status)" >&2
	exit $$(( status == 0 ? 1 : status ))

bench: install  ## On PostgreSQL (BENCH_URL=..., TRADE_BENCH_URL=...): agreements export, memory and list pages; trade refresh at 1M flows.
	# Every part runs and prints its figures; the target fails at the end if any missed one.
	missed=0
	$(BIN)/python -m tradepacts.ops.bench --database-url "$(BENCH_URL)" || missed=1
	$(BIN)/python -m tradepacts.ops.trade_bench --database-url "$(TRADE_BENCH_URL)" || missed=1
	$(BIN)/python -m tradepacts.ops.registry_bench --database-url sqlite:////tmp/tradepacts-registry-bench.sqlite3 || missed=1
	$(BIN)/python -m tradepacts.ops.registry_bench --database-url "$(REGISTRY_BENCH_URL)" || missed=1
	$(BIN)/python -m tradepacts.ops.data_bench --database-url "$(DATA_BENCH_URL)" || missed=1
	$(BIN)/python -m tradepacts.ops.curation_bench --database-url "$(CURATION_BENCH_URL)" || missed=1
	exit $$missed

.PHONY: loadtest faults

loadtest: install  ## Load test: gunicorn (DEBUG off) on PostgreSQL with 100,000 agreements, 60 s of mixed requests (LOADTEST_URL=...).
	$(BIN)/python -m tradepacts.ops.loadtest --database-url "$(LOADTEST_URL)" \
	  --seconds $(LOADTEST_SECONDS) --users $(LOADTEST_USERS) --workers $(WEB_WORKERS) --threads $(WEB_THREADS)

# Private Redis (port 6390) and PostgreSQL (port 5440) instances, started and
# removed by the drills: the shared servers on 6379 and 5432 are never touched.
faults: install  ## Fault drills: Celery worker killed mid-refresh, Redis stopped, PostgreSQL restarted under load.
	$(BIN)/python -m tradepacts.ops.faults
