"""Savepoint isolation (tests/conftest.py): one transaction per test on one connection,
rolled back at its end, that every session of the test joins through a savepoint.

Savepoints nest: a session that ends its savepoint while one begun after it is still open
ends that one too (PostgreSQL releases or rolls back every later savepoint with it). It
happens when two sessions interleave, as in a race run with `asyncio.gather`: the test is
failed with a message saying it needs `@pytest.mark.commits`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.db import bind_sessions, get_engine

NEEDS_COMMITS = (
    "sessions of this test interleaved on its one connection ({detail}): a race between "
    "sessions needs real commits, mark the test @pytest.mark.commits"
)
LEFT_BEHIND = (
    "this test committed rows on a connection of its own ({tables}; another event loop, "
    "thread or process?): mark it @pytest.mark.commits (the tables were emptied)"
)


class SavepointOrder:
    """Watches the savepoints the connection sends and notes the first ended out of order."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.broken: str | None = None

    def sent(self, _connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        verb, _, name = statement.strip().rpartition(" ")
        if verb == "SAVEPOINT":
            self.open.append(name)
        elif verb in {"RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"}:
            self.ended(name)

    def ended(self, name: str) -> None:
        if name not in self.open:
            self.broken = self.broken or f"{name} was already gone"
            return
        later = self.open[self.open.index(name) + 1 :]
        if later and self.broken is None:
            self.broken = f"{name} ended while {', '.join(later)}, begun after it, stayed open"
        del self.open[self.open.index(name) :]

    def watch(self, connection: Connection) -> None:
        event.listen(connection, "before_cursor_execute", self.sent)


_current: AsyncConnection | None = None


@asynccontextmanager
async def rolled_back(*setup: tuple[str, dict[str, Any]]) -> AsyncIterator[SavepointOrder]:
    """Open the test's transaction (running each `setup` statement in it first), bind the
    app's sessions to it, and roll it back at the end."""
    global _current
    order = SavepointOrder()
    async with get_engine().connect() as connection:
        transaction = await connection.begin()
        for statement, parameters in setup:
            await connection.execute(text(statement), parameters)
        assert connection.sync_connection is not None
        order.watch(connection.sync_connection)
        bind_sessions(connection)
        _current = connection
        try:
            yield order
        finally:
            _current = None
            bind_sessions(None)
            await transaction.rollback()


class ArrangingSession(AsyncSession):
    """The `session` fixture's session under savepoint isolation. Its savepoint begins at
    its first query, before the requests it then checks: a true rollback would undo them.
    So its rollback only forgets what it loaded and its unflushed changes, and ends its
    savepoint (what it flushed itself stays), which is what a test wants from
    `await session.rollback()`: fresh rows on its next read."""

    async def rollback(self) -> None:
        transaction = self.get_transaction()
        if transaction is None or not transaction.is_active or self.deleted:
            await super().rollback()
            return
        for instance in list(self.new):
            self.expunge(instance)
        self.expire_all()
        await self.commit()


def arranging_session() -> AsyncSession | None:
    """A session in the test's transaction, or None when the test commits for real."""
    if _current is None:
        return None
    return ArrangingSession(
        bind=_current,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


class LeftRows:
    """Tables holding rows after a rolled-back test that were empty before the run: what a
    session outside the test's transaction committed. One query, a few milliseconds."""

    def __init__(self) -> None:
        self.query = ""
        self.before: frozenset[str] = frozenset()

    def start(self, dsn: str, kept: set[str]) -> None:
        """Once, after the migrations: note the tables and which already hold rows."""
        with psycopg.connect(dsn) as connection:
            rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = sorted({str(name) for (name,) in rows} - kept - {"alembic_version"})
            self.query = " UNION ALL ".join(
                f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\")"  # noqa: S608
                for table in tables
            )
            self.before = frozenset(str(name) for (name,) in connection.execute(self.query))

    async def found(self) -> list[str]:
        async with get_engine().connect() as connection:
            rows = await connection.execute(text(self.query))
        return sorted({str(name) for (name,) in rows} - self.before)
