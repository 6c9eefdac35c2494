#!/usr/bin/env bash
# BEFORE / AFTER under load, repeatable in one line (docs/performance.md, "Under load"):
#   bash bench/load/compare.sh            # USERS=100 DURATION=60s RUNS=2 WORKERS=2 by default
# A fresh database with the demo salon (`seed`), then `dev` (one process) and `serve` with
# WORKERS processes on it, each measured RUNS times with `make load` (USERS visitors and as many
# /health probes). Needs the machine's PostgreSQL (TEST_PG_URL) and Redis (REDIS_URL).
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${USERS:-100} DURATION=${DURATION:-60s} RUNS=${RUNS:-2} WORKERS=${WORKERS:-2}
PORT=${PORT:-8890}
ADMIN_URL=${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
DB="salon_load_$(date +%s)"
export DATABASE_URL="${ADMIN_URL%/*}/$DB" REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export REDIS_KEY_PREFIX="salon-load-$DB" ADMIN_EMAIL=load@serenaia.example
export ADMIN_PASSWORD=load-password-123 APP_LOG_LEVEL=${APP_LOG_LEVEL:-INFO}
PY=.venv/bin/python
mkdir -p var/load
psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB\""
server=""
cleanup() {
  if [[ -n "$server" ]]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" || true; fi
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" || true
}
trap cleanup EXIT
$PY -m app.cli migrate >/dev/null
$PY -m app.cli seed >/dev/null

measure() { # label, then the server command
  local label=$1; shift
  "$@" >"var/load/$label.server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
  for run in $(seq 1 "$RUNS"); do
    echo "== $label, run $run: $USERS visitors + $USERS /health probes, $DURATION, load $(cut -d' ' -f1 /proc/loadavg)"
    make --no-print-directory -s load LOAD_HOST="http://127.0.0.1:$PORT" USERS="$USERS" \
      DURATION="$DURATION" LOAD_OUT="var/load/$label-$run" || true
  done
  kill -TERM "$server"; wait "$server" || true; server=""
}
measure before-dev $PY -m app.cli dev --port "$PORT"
measure after-serve $PY -m app.cli serve --port "$PORT" --workers "$WORKERS"
