"""The transactional outbox: a side effect that leaves the process is written as an event in
the same transaction as the change that causes it, then handled by a worker.

A topic is declared once, by the domain that publishes it, with the pydantic model of its
payload (`TOPIC_CONFIRMED = Topic("bookings.confirmed", BookingConfirmed)`): `enqueue`
validates what it is given against the model, and handlers receive the model. Domains
subscribe at import under an explicit, stable name
(`@handles(TOPIC_CONFIRMED, name="notifications.booking_confirmed")`), which is what a row
stores: moving or renaming the function strands nothing. Several domains may follow a topic.
`enqueue` writes one row per subscriber, so each is retried on its own: a failing refund
never sends a cancellation e-mail twice. The dispatcher claims due
rows with `FOR UPDATE SKIP LOCKED`, so several workers never handle one row twice, and retries
failures with exponential backoff.

A secret the handler needs (a reset token to put in an e-mail) goes in `sealed=`: it is
stored encrypted, handed to the handler merged into the payload, and dropped from the row
once the handler succeeded. A plain payload key that names a secret is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CheckConstraint, Index, String, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core import sealing
from app.core.clock import utcnow
from app.core.db import Base, json_safe, unit_of_work
from app.core.ids import new_id

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
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


class Payload(BaseModel):
    """Base of every topic's payload: immutable, and a misspelt key is refused at enqueue."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=Payload)
Handler = Callable[[AsyncSession, P], Awaitable[None]]


@dataclass(frozen=True)
class Topic(Generic[P]):
    """An outbox topic and the model of its payload; declared once, in the publisher's
    `topics.py`."""

    name: str
    payload: type[P]

    def __post_init__(self) -> None:
        if not (isinstance(self.payload, type) and issubclass(self.payload, Payload)):
            raise TypeError(f"topic {self.name!r}: its payload must be an outbox.Payload model")
        known = _topics.setdefault(self.name, self)
        if known.payload is not self.payload:
            raise ValueError(f"topic {self.name!r} is declared twice with different payloads")


@dataclass(frozen=True)
class _Subscription:
    topic: Topic[Any]
    handler: Callable[[AsyncSession, Any], Awaitable[None]]
    where: str  # module.function, to tell a second registration from a re-import


_topics: dict[str, Topic[Any]] = {}
_subscriptions: dict[str, dict[str, _Subscription]] = {}  # topic -> name -> subscription
_names: dict[str, str] = {}  # subscriber name -> its topic


def handles(topic: Topic[P], *, name: str) -> Callable[[Handler[P]], Handler[P]]:
    """Subscribe the decorated coroutine to `topic` under `name`, the stable id its rows
    carry ("<domain>.<what it does>"). A name is given to one handler only."""
    if not isinstance(topic, Topic):
        raise TypeError(f"subscribe to a declared Topic, not {topic!r}")

    def register(handler: Handler[P]) -> Handler[P]:
        where = f"{handler.__module__}.{handler.__qualname__}"
        taken = _subscriptions.get(_names.get(name, ""), {}).get(name)
        if taken is not None and taken.where != where:
            raise ValueError(f"outbox subscriber name {name!r} is taken by {taken.where}")
        _names[name] = topic.name
        _subscriptions.setdefault(topic.name, {})[name] = _Subscription(topic, handler, where)
        return handler

    return register


def subscribers(topic: Topic[Any]) -> list[str]:
    return sorted(_subscriptions.get(topic.name, {}))


def subscriber_names() -> dict[str, str]:
    """Every registered subscriber name and the topic it follows."""
    return dict(_names)


def handler_modules() -> dict[str, str]:
    """Every registered subscriber name and the module of its handler (a domain's
    `handlers.py`, tests/test_layout.py)."""
    return {
        name: sub.handler.__module__
        for by_name in _subscriptions.values()
        for name, sub in by_name.items()
    }


def _plain(topic: Topic[P], payload: P | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(payload, Payload):
        if not isinstance(payload, topic.payload):
            raise TypeError(f"topic {topic.name!r} carries {topic.payload.__name__}")
        return payload.model_dump(exclude_unset=True)
    return dict(payload)


async def enqueue(
    session: AsyncSession,
    topic: Topic[P],
    payload: P | Mapping[str, Any],
    *,
    at: datetime | None = None,
    sealed: dict[str, str] | None = None,
) -> UUID:
    """Add the event to the current transaction, once per subscriber of the topic; it exists
    only if the transaction commits. `payload` (the topic's model, or its fields) is
    validated against the topic's model, `sealed` included; an invalid one raises
    `pydantic.ValidationError` here, in the publisher's transaction. A topic nobody follows
    yet still gets a row, which fails visibly ("no handler") instead of vanishing. `sealed`
    holds what must not be readable in the table (see the module's docstring)."""
    if not isinstance(topic, Topic):
        raise TypeError(f"enqueue on a declared Topic, not {topic!r}")
    plain = _plain(topic, payload)
    if clear := [k for k in plain if _SECRET_NAME.search(k) or k == SEALED]:
        raise ValueError(f"outbox payload keys {clear} look secret: pass them in `sealed=`")
    model = topic.payload.model_validate(plain | (sealed or {}))
    now = utcnow()
    ids = []
    for subscriber in subscribers(topic) or [""]:
        event_id = new_id()
        stored = json_safe(model.model_dump(include=set(plain)))
        if sealed:
            stored[SEALED] = sealing.seal_json(_SEALED_FOR, sealed, bound_to=event_id.bytes)
        event = OutboxEvent(
            id=event_id,
            topic=topic.name,
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


async def pending_for(session: AsyncSession, subscriber_prefix: str) -> int:
    """How many events the subscribers named `prefix…` still have to handle."""
    count = await session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            OutboxEvent.status == "pending",
            OutboxEvent.subscriber.startswith(subscriber_prefix, autoescape=True),
        )
    )
    return int(count or 0)


async def waiting(session: AsyncSession, subscriber: str, **payload: str) -> bool:
    """Whether `subscriber` still has to handle an event whose payload holds these values (a
    follower on another worker may need it handled first: it fails and is retried)."""
    found = await session.scalar(
        select(OutboxEvent.id)
        .where(
            OutboxEvent.status == "pending",
            OutboxEvent.subscriber == subscriber,
            OutboxEvent.payload.contains(payload),
        )
        .limit(1)
    )
    return found is not None


async def dispatch_due(batch_size: int = 50) -> int:
    """Handle the events that are due, each in its own transaction; returns how many were done."""
    done = 0
    for _ in range(batch_size):
        async with unit_of_work() as session:
            event = await session.scalar(
                select(OutboxEvent)
                .where(OutboxEvent.status == "pending", OutboxEvent.available_at <= utcnow())
                # Ties (a frozen clock, one transaction's events) in the order they were
                # written: ids are UUIDv7, time-ordered. A follower may rely on an earlier
                # event of the same worker having been handled (the books do).
                .order_by(OutboxEvent.available_at, OutboxEvent.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if event is None:
                return done
            await _handle(session, event)
            done += event.status == "done"
    return done


async def _handle(session: AsyncSession, event: OutboxEvent) -> None:
    subscription = _subscriptions.get(event.topic, {}).get(event.subscriber)
    event.attempts += 1
    if subscription is None:
        event.status = "failed"
        event.last_error = f"no handler {event.subscriber!r} for topic {event.topic!r}"
        logger.error("outbox event without handler", extra={"topic": event.topic})
        return
    try:
        async with session.begin_nested():
            payload = subscription.topic.payload.model_validate(_opened(event))
            await subscription.handler(session, payload)
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
