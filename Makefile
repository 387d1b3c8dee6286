# School improvement partnership: run `make help` for the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
TEST_WORKERS ?= 2  # pytest-xdist processes for `make test` (ADR 0029); TEST_WORKERS=0 runs the suite in one process

.PHONY: backup restore help setup assets chromium demo run worker test test-fast bench lint stop clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	@touch $(STAMP)

assets: ## Build the front-end assets (govuk-frontend + Dart Sass) once package.json exists
	@if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; \
	  else echo "No package.json yet: front-end assets are not built (see the open work in the README)"; fi

setup: $(STAMP) assets ## Install everything into .venv/ and node_modules/, build assets (no services needed)

demo: setup ## Set up, load the Surrey demo partnership and serve it at http://127.0.0.1:8000 with a Celery worker
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Demo accounts are listed in README.md. Starting a Celery worker and the web server on http://$(HOST):$(PORT)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(VENV)/bin/celery -A partnership worker -l info -P solo & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

run: setup ## Serve the app (and a worker) without reloading demo data
	$(PY) manage.py migrate --noinput
	@trap 'kill 0' EXIT INT TERM; \
	  $(VENV)/bin/celery -A partnership worker -l info -P solo & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

chromium: ## Make sure Debian's Chromium is there for the browser tests (installs it when run as root)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Browser tests need Chromium: install Debian's 'chromium' package (sudo apt-get install chromium)"; exit 1; fi; \
	fi

test: setup chromium ## Run the whole test suite (unit, database, worker and real-browser tests), in TEST_WORKERS processes
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-fast: setup ## Run the suite without the browser and worker tests
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not worker" $(PYTEST_ARGS)

bench: setup ## Benchmarks as ratios: GIAS import and risk run (England-sized), and the regional load test
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench

lint: setup ## ruff (lint and format check), import contracts (.importlinter) and mypy with django-stubs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy .

backup: setup ## Back up the database with pg_dump to .data/backups/ (or BACKUP_DIR); see docs/deploy.md
	$(PY) manage.py backup_db

restore: setup ## Restore FILE=path.dump into a new empty database partnership_restored (never over live data)
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=.data/backups/partnership-....dump"; exit 2; }
	$(PY) manage.py restore_db "$(FILE)" --database-url "$$($(PY) -c 'from partnership import embedded; print(embedded.postgres_url("partnership_restored"))')"
	@echo "Restored into database partnership_restored: check it, then set DATABASE_URL to it to use it."

stop: ## Stop the embedded PostgreSQL and Redis servers
	-@[ -f .data/redis.pid ] && kill $$(cat .data/redis.pid) 2>/dev/null; true
	-@$(PY) -c "from partnership import embedded; embedded.stop_postgres()" 2>/dev/null; true

clean: stop ## Remove the virtualenv, node_modules, built assets and embedded data
	rm -rf $(VENV) node_modules static/build staticfiles .data
