"""Database engine, sessions and the declarative base.

The API uses async sessions over psycopg 3; Alembic and the CLI use the same driver
synchronously (see docs/decisions.md). Engines are kept per event loop, because a pooled
connection belongs to the loop that opened it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
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
_read_engines: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}
_read_sessionmakers: dict[asyncio.AbstractEventLoop, async_sessionmaker[AsyncSession]] = {}


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


def read_url_configured() -> bool:
    """Whether reads have a database of their own (DATABASE_READ_URL set and not the same as
    DATABASE_URL)."""
    db = get_settings().db
    return bool(db.read_url) and db.read_url != db.url


def get_read_sessionmaker() -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only work (reports, accounting exports), on DATABASE_READ_URL: a
    replica can take them. Its connections start every transaction read-only, so a write
    through it fails even when the URL is the primary's. Without DATABASE_READ_URL it is the
    primary's sessionmaker: one pool, and the tests' bound connection (`bind_sessions`)."""
    if not read_url_configured():
        return get_sessionmaker()
    loop = asyncio.get_running_loop()
    maker = _read_sessionmakers.get(loop)
    if maker is None:
        engine = _read_engines.get(loop)
        if engine is None:
            settings = get_settings().db
            engine = create_async_engine(
                database_url(settings.read_url),
                pool_size=settings.pool_size,
                max_overflow=settings.max_overflow,
                pool_pre_ping=True,
                echo=settings.echo,
                connect_args={"options": "-c default_transaction_read_only=on"},
            )
            _read_engines[loop] = engine
        maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        _read_sessionmakers[loop] = maker
    return maker


@asynccontextmanager
async def read_only() -> AsyncIterator[AsyncSession]:
    """A read-only session on DATABASE_READ_URL (see `get_read_sessionmaker`); rolled back at
    the end: nothing it does is kept."""
    async with get_read_sessionmaker()() as session:
        try:
            yield session
        finally:
            await session.rollback()


async def get_read_session() -> AsyncIterator[AsyncSession]:
    """The request's read-only session (reports, exports): `ReadSession`."""
    async with read_only() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
"""A read-only session for a report or an export handler: on the replica when
DATABASE_READ_URL is set. Never write through it."""


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
    _read_sessionmakers.pop(loop, None)
    for engines in (_engines, _read_engines):
        engine = engines.pop(loop, None)
        if engine is not None:
            await engine.dispose()


@dataclass(frozen=True, slots=True)
class ConnectionBudget:
    """What every process of a deployment may open on the primary at its peak, against what
    PostgreSQL accepts (docs/scaling.md):
    `api_workers x (pool_size + max_overflow) + celery + reserved ≤ max_connections`."""

    api_workers: int
    pool_size: int
    max_overflow: int
    celery: int
    reserved: int
    max_connections: int

    @property
    def needed(self) -> int:
        per_process = self.pool_size + self.max_overflow
        return self.api_workers * per_process + self.celery + self.reserved

    @property
    def fits(self) -> bool:
        return self.needed <= self.max_connections

    def describe(self) -> str:
        verdict = "fits" if self.fits else "EXCEEDS"
        return (
            f"database connections: {self.api_workers} API workers x ({self.pool_size} pool + "
            f"{self.max_overflow} overflow) + {self.celery} Celery + {self.reserved} reserved"
            f" = {self.needed}, {verdict} max_connections {self.max_connections}"
        )


def connection_budget(api_workers: int) -> ConnectionBudget | None:
    """Reads the primary's `max_connections` (a short synchronous connection: called once by
    `serve` before it starts its workers); None when the database does not answer."""
    import psycopg

    settings = get_settings().db
    plain = database_url().set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(plain, connect_timeout=5) as connection:
            row = connection.execute("SHOW max_connections").fetchone()
    except psycopg.Error:
        return None
    return ConnectionBudget(
        api_workers=api_workers,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        celery=settings.celery_connections,
        reserved=settings.reserved_connections,
        max_connections=int(row[0]) if row else 0,
    )


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
