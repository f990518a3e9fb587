# The two commands: `make run` (set up and serve on 127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names the dependency list it installed, so a changed pyproject.toml reinstalls.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_portal
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Tests use a fixed, test-only key; production keys come from the environment.
test: setup
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-insecure-key-for-tests-only} $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The compiled catalogues are committed, so neither run nor test needs gettext installed.
messages: setup
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv
