"""Database engine, sessions and the declarative base.

The API uses async sessions over psycopg 3; Alembic and the CLI use the same driver
synchronously (see docs/decisions.md). Engines are kept per event loop, because a pooled
connection belongs to the loop that opened it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import DateTime, MetaData, TypeDecorator, make_url
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from starlette.requests import Request

from app.core.config import get_settings
from app.core.errors import AppError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A `timestamptz` that refuses naive datetimes, so no local time slips in unnoticed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a timestamptz column")
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


class DatabaseNotConfigured(RuntimeError):
    pass


def database_url(raw: str | None = None, *, driver: str = "psycopg") -> URL:
    """Turn a plain `postgresql://` (or `postgres://`) URL, as hosts give it, into ours."""
    raw = raw if raw is not None else get_settings().db.url
    if not raw:
        raise DatabaseNotConfigured(
            "DATABASE_URL is not set (`make run` starts an embedded PostgreSQL for you)"
        )
    url = make_url(raw)
    if url.drivername in {"postgres", "postgresql"} or url.drivername.startswith("postgresql+"):
        url = url.set(drivername=f"postgresql+{driver}")
    return url


_engines: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}
_sessionmakers: dict[asyncio.AbstractEventLoop, async_sessionmaker[AsyncSession]] = {}


def get_engine() -> AsyncEngine:
    loop = asyncio.get_running_loop()
    engine = _engines.get(loop)
    if engine is None:
        settings = get_settings().db
        engine = create_async_engine(
            database_url(),
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_pre_ping=True,
            echo=settings.echo,
        )
        _engines[loop] = engine
    return engine


def get_sessionmaker() -> async_sessionmaker[AsyncSession]:
    loop = asyncio.get_running_loop()
    maker = _sessionmakers.get(loop)
    if maker is None:
        maker = async_sessionmaker(get_engine(), expire_on_commit=False, autoflush=False)
        _sessionmakers[loop] = maker
    return maker


def bind_sessions(connection: AsyncConnection | None) -> None:
    """Test hook: every session the running loop opens joins `connection`'s transaction
    through a savepoint (its commit releases the savepoint, its rollback returns to it), so
    a test can roll back all it did at the end (tests/conftest.py). `None` goes back to the
    engine's pool. Never called by the application."""
    loop = asyncio.get_running_loop()
    if connection is None:
        _sessionmakers.pop(loop, None)
        return
    _sessionmakers[loop] = async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


async def dispose_engine() -> None:
    """Close the pool of the running loop (at shutdown, and between test runs)."""
    loop = asyncio.get_running_loop()
    _sessionmakers.pop(loop, None)
    engine = _engines.pop(loop, None)
    if engine is not None:
        await engine.dispose()


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction: commits when the block ends, rolls back on error (except an AppError
    marked `keep_changes`, whose writes are the point)."""
    async with get_sessionmaker()() as session:
        try:
            yield session
        except AppError as exc:
            await (session.commit() if exc.keep_changes else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


HELD_TRANSACTIONS = "app.held_transactions"


class HeldTransactions:
    """Request sessions whose commit a middleware takes over: the idempotency store writes
    the answer in the same transaction as the effect (`app/core/idempotency.py`). Put in the
    ASGI scope under `HELD_TRANSACTIONS`; whoever puts it there commits or rolls back and
    closes every session it collects."""

    def __init__(self) -> None:
        self.sessions: list[AsyncSession] = []

    async def discard(self) -> None:
        for session in self.sessions:
            await session.rollback()
            await session.close()
        self.sessions.clear()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session. Declare it with `scope="function"` so the commit happens before
    the response is sent (see STYLE.md, Transactions). When a middleware holds the
    transaction, the session is handed to it, uncommitted, once the handler is done."""
    held: HeldTransactions | None = request.scope.get(HELD_TRANSACTIONS)
    if held is None:
        async with unit_of_work() as session:
            yield session
        return
    session = get_sessionmaker()()
    try:
        yield session
    except AppError as exc:
        if not exc.keep_changes:
            await session.rollback()
            await session.close()
        else:
            held.sessions.append(session)
        raise
    except BaseException:
        await session.rollback()
        await session.close()
        raise
    else:
        held.sessions.append(session)


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
"""The request's session for a handler or a dependency: one per request, committed before the
response is sent."""


def json_safe(value: Any, *, instant: Callable[[datetime], str] = datetime.isoformat) -> Any:
    """Make a value storable in a JSONB column (UUIDs and datetimes as strings; `instant`
    writes the datetimes)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v, instant=instant) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, instant=instant) for v in value]
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def flush_or_raise(session: AsyncSession, error: AppError) -> None:
    """Flush inside a savepoint and answer `error` when a unique (or other) constraint
    refuses the rows; the rest of the transaction stays usable."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise error from exc
