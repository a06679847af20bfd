# One command to run the site, one to test it. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run setup test lint format check-deploy bench loadtest backup restore clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed ## Create the virtualenv, migrate, load the article and the demo accounts
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo --site-url http://$(HOST):$(PORT)

run: setup ## Set everything up and serve the site on http://$HOST:$PORT (127.0.0.1:8000)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The development tools (perfkit: bench, loadtest, Server-Timing) for these targets only.
test bench loadtest: export FACTCHECK_DEV_TOOLS := true
# DEBUG is off unless set: on for runserver (static files from static/, a development key)
# and the demo setup, which refuses otherwise, and for the measuring commands' own process
# (the servers they measure run with DEBUG off). The tests set theirs in pyproject.toml.
setup run bench loadtest: export DEBUG := true

# The browser tests' accessibility checker (axe-core); the page itself needs no npm package.
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(VENV)/.installed-dev node_modules ## Set up and run the whole test suite (DATABASE_URL picks the database)
	node --test tests/js/
	$(BIN)/pytest

lint: $(VENV)/.installed-dev ## Check the code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: $(VENV)/.installed ## Run Django's deployment checks under production settings
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-check-only-$$(date +%s)-not-a-real-secret-0123456789abcdef} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-factcheck.example.org} \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(VENV)/.installed-dev ## Measure speed and memory through gunicorn in a scratch database (BENCH_ARGS=...)
	$(BIN)/python manage.py bench $(BENCH_ARGS)

loadtest: $(VENV)/.installed-dev ## 20 reviewers writing at once for 60 s, then check nothing was lost (PostgreSQL)
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)

# Run these with the site's own environment (DATABASE_URL, SECRET_KEY or DEBUG=true).
BACKUP ?= backup-$(shell date +%Y%m%d-%H%M%S).jsonl.gz

backup: $(VENV)/.installed ## Back up every table into one file (BACKUP=desk.jsonl.gz)
	$(BIN)/python manage.py backup $(BACKUP)

restore: $(VENV)/.installed ## Migrate, then restore BACKUP=desk.jsonl.gz into an empty database (RESTORE_ARGS=--force)
	$(if $(filter file,$(origin BACKUP)),$(error Name the backup to restore: make restore BACKUP=desk.jsonl.gz))
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore $(BACKUP) $(RESTORE_ARGS)

clean: ## Remove the virtualenv, node_modules, the SQLite database and collected static files
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .pytest_cache .ruff_cache
