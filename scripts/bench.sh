#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, against a throwaway database.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh)"
export TEST_PG_URL TEST_REDIS_URL
for script in bench/[!_]*.py; do
  echo "== $script"
  .venv/bin/python "$script"
done
