"""The one clock of the service. Tests freeze it with `frozen_at`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

_frozen: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)
_offset: timedelta = timedelta(0)
_pinned: datetime | None = None


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    if _pinned is not None:
        return _pinned + _offset
    return datetime.now(UTC) + _offset


def pin(instant: datetime) -> None:
    """Stop the clock of the whole process at `instant` (tests only); `travel` moves it."""
    global _pinned
    if instant.tzinfo is None:
        raise ValueError("pin needs an aware datetime")
    _pinned = instant.astimezone(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Freeze `utcnow()` in the current context (tests only)."""
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.reset(token)


def travel(delta: timedelta) -> None:
    """Move the clock of the whole process forward (tests only, for code in other tasks)."""
    global _offset
    _offset += delta


def reset_travel() -> None:
    global _offset, _pinned
    _offset = timedelta(0)
    _pinned = None
