# The two commands of the README's Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WHEELHOUSE ?= wheelhouse

.PHONY: install run test quick check messages bench lock wheelhouse

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Install, and compile the translations (pure Python: no gettext tools needed).
install: $(STAMP)
	$(PY) manage.py compile_translations

## The day the demo's story is told on (its reports run to the end of November 2026).
DEMO_TODAY ?= 2026-12-01

## Install, migrate, seed with the demo layer, print the demo logins and serve on
## http://127.0.0.1:8000/ (SQLite) as on DEMO_TODAY. `manage.py seed --remove-demo` removes the demo.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed --demo
	TRACKER_TODAY=$(DEMO_TODAY) $(PY) manage.py snapshot_statuses
	TRACKER_TODAY=$(DEMO_TODAY) $(PY) manage.py judge_statuses
	$(PY) manage.py create_demo_user
	TRACKER_TODAY=$(DEMO_TODAY) $(PY) manage.py runserver 127.0.0.1:8000

# Two worker processes, each with its own test database; worksteal keeps each
# module's tests together (they share rows built once per module) and evens out
# the end. No bytecode or pytest cache: a test run writes nothing into the tree.
# PYTEST_ARGS: more arguments, e.g. PYTEST_ARGS="tests/api -x".
WORKERS ?= 2
PYTEST := PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/pytest -p no:cacheprovider -n $(WORKERS) --dist worksteal

## The whole test suite, fuzzing and browser tests included (SQLite; set DATABASE_URL=postgres://... for PostgreSQL).
test: install
	$(PYTEST) $(PYTEST_ARGS)

## The quick loop: the whole suite but the slow tests (fuzzing, browsers).
quick: install
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

## Linters and Django's own checks, as CI runs them.
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	@# An in-memory database: the migration check's consistency read would
	@# otherwise create db.sqlite3 in the checkout.
	DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

## The performance benchmark: PostgreSQL on 127.0.0.1 (BENCH_POSTGRES_URL); writes docs/performance.md.
bench: install
	$(PY) bench/run.py

## Re-pin requirements.lock (the wheelhouse's versions, with hashes) from pyproject.toml, with uv.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet -o requirements.lock

## For an offline install: this project's wheel and every wheel it needs, pinned and
## hash-checked by requirements.lock, in $(WHEELHOUSE)/ (README, Production). Needs PyPI.
wheelhouse:
	rm -rf $(WHEELHOUSE)
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir $(WHEELHOUSE) .
	$(PY) -m pip download --quiet --only-binary=:all: --no-deps --dest $(WHEELHOUSE) -r requirements.lock
	cp requirements.lock $(WHEELHOUSE)/
