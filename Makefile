# The two commands: `make run` (set up and serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names the dependency list it installed, so a changed pyproject.toml reinstalls.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint messages serve bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py createcachetable
	DJANGO_DEBUG=1 $(PY) manage.py seed_portal
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Tests use a fixed, test-only key; production keys come from the environment. They run in
# TEST_WORKERS pytest-xdist processes, each with its own test database (0: in this process).
TEST_WORKERS ?= 2
test: setup
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-insecure-key-for-tests-only} $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# ruff, then the import contracts of pyproject.toml ([tool.importlinter]: README, "Architecture").
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The compiled catalogues are committed, so neither run nor test needs gettext installed.
messages: setup
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv


# Production mode (docs/operations.md): migrations, the shared cache table, hashed and compressed
# static files, then gunicorn (gunicorn.conf.py) on $(HOST):$(PORT) with $$WEB_CONCURRENCY
# workers, against $$DATABASE_URL. Debug is forced off, so DJANGO_SECRET_KEY must be set.
# With several application servers, run the migrations from one: SERVE_MIGRATE=0 on the others.
SERVE_MIGRATE ?= 1
serve: setup
	@if [ "$(SERVE_MIGRATE)" != 0 ]; then DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput; fi
	DJANGO_DEBUG=0 $(PY) manage.py createcachetable
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(PY) manage.py check --deploy --fail-level ERROR
	exec env DJANGO_DEBUG=0 HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py cerplan.wsgi

# Benchmarks on PostgreSQL and under load (bench/run.py): prints one table and writes
# bench/results.json. Installs PostgreSQL and wrk from Debian when missing, as .ci/run does.
bench: setup
	@missing=""; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "bench: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	$(PY) bench/run.py $(BENCH_ARGS)
