"""Counting the SQL statements a request runs, on the app's own engine (an N+1 shows as a
count that grows with the rows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.core.db import get_engine

# Statements that are the connection's own business, not the request's queries.
_NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"{self.count} statements:\n" + "\n".join(s[:160] for s in self.statements)


@contextmanager
def counting() -> Iterator[Counter]:
    """Every statement executed on the app's engine inside the block."""
    counter = Counter()
    sync_engine = get_engine().sync_engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            counter.statements.append(" ".join(statement.split()))

    event.listen(sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(sync_engine, "before_cursor_execute", before)
