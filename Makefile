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

# The load harness (bench/load, docs/performance.md "Under load") against a running server:
# USERS site visitors plus USERS /health probes (the baseline), STAFF_USERS staff members
# (with LOAD_STAFF_EMAIL / LOAD_STAFF_PASSWORD), for DURATION.
LOAD_HOST ?= http://127.0.0.1:8000
USERS ?= 100
STAFF_USERS ?= 0
DURATION ?= 60s
LOAD_OUT ?= var/load/run

.PHONY: load load-ramp
load: install ## locust, headless, against LOAD_HOST: p50/p95/p99 per route and the ratio to /health
	@mkdir -p $(dir $(LOAD_OUT))
	USERS=$(USERS) STAFF_USERS=$(STAFF_USERS) $(VENV)/bin/locust -f bench/load/locustfile.py \
		--headless --host $(LOAD_HOST) -u $$(( 2 * $(USERS) + $(STAFF_USERS) )) \
		-r $$(( 2 * $(USERS) / 5 + 1 )) -t $(DURATION) --csv $(LOAD_OUT) --only-summary \
		--loglevel WARNING > $(LOAD_OUT).log 2>&1 || true
	$(PY) bench/load/summary.py $(LOAD_OUT)

load-ramp: install ## more and more site visitors until the mix's p95 crosses 500 ms
	$(PY) bench/load/ramp.py --host $(LOAD_HOST) --duration $(DURATION)
