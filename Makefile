# The two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format worker beat migrate seed bench routes docker-up clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

run: install ## serve the API on 127.0.0.1:8000 (embedded PostgreSQL when DATABASE_URL is unset)
	$(PY) -m app.cli dev

test: install ## lint, type-check and run the test suite against a throwaway database
	@bash scripts/test.sh

lint: install ## ruff, mypy and the import contract
	$(VENV)/bin/ruff check app tests bench scripts alembic
	$(VENV)/bin/ruff format --check app tests bench scripts alembic
	$(VENV)/bin/mypy app
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_sdk_imports.py

format: install
	$(VENV)/bin/ruff check --fix app tests bench scripts
	$(VENV)/bin/ruff format app tests bench scripts alembic

worker: install ## a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A app.worker:celery_app worker --loglevel=INFO --concurrency=2

beat: install ## the Celery beat scheduler (needs REDIS_URL)
	@mkdir -p var
	$(VENV)/bin/celery -A app.worker:celery_app beat --loglevel=INFO --schedule=var/celerybeat-schedule

migrate: install ## apply migrations to DATABASE_URL
	$(PY) -m app.cli migrate

seed: install ## load the demo salon into DATABASE_URL
	$(PY) -m app.cli seed

routes: install
	$(PY) -m app.cli routes

bench: install ## benchmarks: figures and ratios, printed (see docs/performance.md)
	@bash scripts/bench.sh

docker-up: ## the whole stack in Docker (api, worker, beat, postgres, redis)
	docker compose up --build

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage htmlcov
