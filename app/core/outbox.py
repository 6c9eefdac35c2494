"""The transactional outbox: a side effect that leaves the process is written as an event in
the same transaction as the change that causes it, then handled by a worker.

Domains subscribe handlers to a topic at import (`@handles("bookings.cancelled")`); several
domains may follow one topic. `enqueue` writes one row per subscriber, so each is retried on
its own: a failing refund never sends a cancellation e-mail twice. The dispatcher claims due
rows with `FOR UPDATE SKIP LOCKED`, so several workers never handle one row twice, and retries
failures with exponential backoff.

A secret the handler needs (a reset token to put in an e-mail) goes in `sealed=`: it is
stored encrypted, handed to the handler merged into the payload, and dropped from the row
once the handler succeeded. A plain payload key that names a secret is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, Index, String, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core import sealing
from app.core.clock import utcnow
from app.core.db import Base, json_safe, unit_of_work
from app.core.ids import new_id

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]
_handlers: dict[str, dict[str, Handler]] = {}
SEALED = "sealed"
_SEALED_FOR = "outbox-secrets"
_SECRET_NAME = re.compile(r"token|secret|password", re.IGNORECASE)


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    topic: Mapped[str] = mapped_column(String(100))
    subscriber: Mapped[str] = mapped_column(String(200), server_default=text("''"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    available_at: Mapped[datetime]
    created_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    last_error: Mapped[str | None]

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status_valid"),
        Index("ix_outbox_events_due", "available_at", postgresql_where=text("status = 'pending'")),
    )


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Subscribe the decorated coroutine to `topic` (named after its module and function)."""

    def register(handler: Handler) -> Handler:
        _handlers.setdefault(topic, {})[f"{handler.__module__}.{handler.__qualname__}"] = handler
        return handler

    return register


def subscribers(topic: str) -> list[str]:
    return sorted(_handlers.get(topic, {}))


async def enqueue(
    session: AsyncSession,
    topic: str,
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
    sealed: dict[str, str] | None = None,
) -> UUID:
    """Add the event to the current transaction, once per subscriber of the topic; it exists
    only if the transaction commits. A topic nobody follows yet still gets a row, which fails
    visibly ("no handler") instead of vanishing. `sealed` holds what must not be readable in
    the table (see the module's docstring)."""
    if clear := [k for k in payload if _SECRET_NAME.search(k) or k == SEALED]:
        raise ValueError(f"outbox payload keys {clear} look secret: pass them in `sealed=`")
    now = utcnow()
    ids = []
    for subscriber in subscribers(topic) or [""]:
        event_id = new_id()
        stored = json_safe(payload)
        if sealed:
            stored[SEALED] = sealing.seal_json(_SEALED_FOR, sealed, bound_to=event_id.bytes)
        event = OutboxEvent(
            id=event_id,
            topic=topic,
            subscriber=subscriber,
            payload=stored,
            status="pending",
            attempts=0,
            available_at=at or now,
            created_at=now,
        )
        session.add(event)
        ids.append(event.id)
    return ids[0]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


async def dispatch_due(batch_size: int = 50) -> int:
    """Handle the events that are due, each in its own transaction; returns how many were done."""
    done = 0
    for _ in range(batch_size):
        async with unit_of_work() as session:
            event = await session.scalar(
                select(OutboxEvent)
                .where(OutboxEvent.status == "pending", OutboxEvent.available_at <= utcnow())
                .order_by(OutboxEvent.available_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if event is None:
                return done
            await _handle(session, event)
            done += event.status == "done"
    return done


async def _handle(session: AsyncSession, event: OutboxEvent) -> None:
    handler = _handlers.get(event.topic, {}).get(event.subscriber)
    event.attempts += 1
    if handler is None:
        event.status = "failed"
        event.last_error = f"no handler {event.subscriber!r} for topic {event.topic!r}"
        logger.error("outbox event without handler", extra={"topic": event.topic})
        return
    try:
        async with session.begin_nested():
            await handler(session, _opened(event))
    except Exception as exc:  # a failing handler must not block the queue
        event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if event.attempts >= MAX_ATTEMPTS:
            event.status = "failed"
            logger.exception("outbox event failed for good", extra={"topic": event.topic})
        else:
            event.available_at = utcnow() + _backoff(event.attempts)
            logger.warning("outbox event will be retried", extra={"topic": event.topic})
        return
    event.status, event.processed_at = "done", utcnow()
    if SEALED in event.payload:  # handled: the secret has no further use
        event.payload = {k: v for k, v in event.payload.items() if k != SEALED}


def _opened(event: OutboxEvent) -> dict[str, Any]:
    payload = dict(event.payload)
    if SEALED in payload:
        secrets = sealing.unseal_json(_SEALED_FOR, payload.pop(SEALED), bound_to=event.id.bytes)
        payload |= secrets
    return payload
