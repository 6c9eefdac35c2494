#!/usr/bin/env bash
# `make test`: services up, then lint, types and the test suite with coverage.
# The test run creates its own throwaway database and drops it at the end (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

eval "$(bash scripts/services.sh)"
export TEST_PG_URL TEST_REDIS_URL

echo "== ruff"
$VENV/bin/ruff check app tests bench scripts alembic
$VENV/bin/ruff format --check app tests bench scripts alembic
echo "== mypy"
$VENV/bin/mypy app
echo "== import contract"
$VENV/bin/lint-imports
$VENV/bin/python scripts/check_sdk_imports.py
echo "== pytest"
set +e
$VENV/bin/python -m pytest --cov --cov-report=term-missing:skip-covered "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
