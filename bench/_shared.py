"""What every benchmark shares: a throwaway database named and configured before the app is
imported (settings are read once), created and migrated before the run, dropped after; and
the percentile they print."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from sqlalchemy import make_url

ADMIN_URL = os.environ.get("TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


def configure(name: str, **settings: str) -> str:
    """Point the app at a new database for this benchmark; returns its name. Providers and
    Redis are off: the figures are ours."""
    database = f"salon_bench_{name}_{secrets.token_hex(3)}"
    os.environ.update(
        {
            "APP_ENV": "test",
            "APP_LOG_LEVEL": "ERROR",
            "DATABASE_URL": make_url(ADMIN_URL).set(database=database).render_as_string(False),
            "SECURITY_SECRET_KEY": "bench-" + "x" * 40,
        }
        | settings
    )
    for unset in ("REDIS_URL", "RESEND_API_KEY", "OVH_APPLICATION_KEY", "STRIPE_SECRET_KEY"):
        os.environ.pop(unset, None)
    return database


@asynccontextmanager
async def throwaway_database(database: str) -> AsyncIterator[None]:
    from alembic import command
    from alembic.config import Config

    from app.core.db import dispose_engine

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        config = Config("alembic.ini")
        config.attributes["configure_logger"] = False
        await asyncio.to_thread(command.upgrade, config, "head")
        yield
        await dispose_engine()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * q) - 1, 0)]


def run_benchmark(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    asyncio.run(main())
