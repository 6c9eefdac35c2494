#!/usr/bin/env bash
# BEFORE / AFTER under load, repeatable in one line (docs/performance.md, "Under load"):
#   bash bench/load/compare.sh            # USERS=100 DURATION=60s RUNS=2 WORKERS=2 by default
# Each run on a fresh database with the demo salon (`seed`: the calendar does not fill up from
# one run to the next), served by `dev` (one process, BEFORE) then by `serve` with WORKERS
# processes (AFTER), measured with `make load` (USERS visitors and as many /health probes).
# Needs the machine's PostgreSQL (TEST_PG_URL) and Redis (REDIS_URL).
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${USERS:-100} DURATION=${DURATION:-60s} RUNS=${RUNS:-2} WORKERS=${WORKERS:-2}
PORT=${PORT:-8890}
ADMIN_URL=${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0} APP_LOG_LEVEL=${APP_LOG_LEVEL:-INFO}
export ADMIN_EMAIL=load@serenaia.example ADMIN_PASSWORD=load-password-123
PY=.venv/bin/python
mkdir -p var/load
server="" db=""
stop() {
  if [[ -n "$server" ]]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" || true; fi
  if [[ -n "$db" ]]; then psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"; fi
  server="" db=""
}
trap stop EXIT

measure() { # label, run, then the server command
  local label=$1 run=$2; shift 2
  db="salon_load_$(date +%s)_$run"
  export DATABASE_URL="${ADMIN_URL%/*}/$db" REDIS_KEY_PREFIX="salon-load-$db"
  psql "$ADMIN_URL" -qc "CREATE DATABASE \"$db\""
  $PY -m app.cli migrate >/dev/null
  $PY -m app.cli seed >/dev/null
  "$@" >"var/load/$label-$run.server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
  echo "== $label, run $run: $USERS visitors + $USERS /health probes, $DURATION, load $(cut -d' ' -f1 /proc/loadavg)"
  make --no-print-directory -s load LOAD_HOST="http://127.0.0.1:$PORT" USERS="$USERS" \
    DURATION="$DURATION" LOAD_OUT="var/load/$label-$run" || true
  stop
}
for run in $(seq 1 "$RUNS"); do
  measure before-dev "$run" $PY -m app.cli dev --port "$PORT"
  measure after-serve "$run" $PY -m app.cli serve --port "$PORT" --workers "$WORKERS"
done
