"""Every query on the notifications tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.notifications.models import (
    ChannelPreference,
    EmailSuppression,
    Message,
    MessageEvent,
    MessageStatus,
)

# --- messages ----------------------------------------------------------------------------


def messages_query(
    *, client_id: UUID | None, booking_id: UUID | None, status: MessageStatus | None
) -> Select[Message]:
    statement = select(Message)
    if client_id:
        statement = statement.where(Message.client_id == client_id)
    if booking_id:
        statement = statement.where(Message.booking_id == booking_id)
    if status:
        statement = statement.where(Message.status == status)
    return statement


async def get_message(
    session: AsyncSession, message_id: UUID, *, lock: bool = False
) -> Message | None:
    return await session.get(Message, message_id, with_for_update=lock)


async def insert_message(session: AsyncSession, values: dict[str, Any]) -> Message | None:
    """The new message, or None when one with its `dedupe_key` already exists."""
    inserted = await session.scalar(
        insert(Message)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Message.id)
    )
    if inserted is None:
        return None
    return await session.get(Message, inserted)


async def messages_of(
    session: AsyncSession, *, client_id: UUID | None, booking_id: UUID | None
) -> list[Message]:
    statement = select(Message).order_by(Message.created_at.desc())
    if client_id:
        statement = statement.where(Message.client_id == client_id)
    if booking_id:
        statement = statement.where(Message.booking_id == booking_id)
    return list(await session.scalars(statement.limit(500)))


async def lock_due(session: AsyncSession, *, now: datetime, limit: int) -> list[Message]:
    """Messages due now and messages whose worker's lease ran out, locked (SKIP LOCKED)."""
    return list(
        await session.scalars(
            select(Message)
            .where(
                or_(
                    (Message.status == MessageStatus.queued) & (Message.next_attempt_at <= now),
                    (Message.status == MessageStatus.sending) & (Message.lease_until < now),
                )
            )
            .order_by(Message.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


async def mark_sent(
    session: AsyncSession, message_id: UUID, *, provider: str, provider_id: str
) -> None:
    """Only a message still `sending` becomes `sent`."""
    await session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.sending)
        .values(
            status=MessageStatus.sent,
            provider=provider,
            provider_id=provider_id,
            sent_at=utcnow(),
            lease_until=None,
            last_error=None,
        )
    )


async def move_messages(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    """Every message of one client record becomes another's (a merge)."""
    await session.execute(
        update(Message).where(Message.client_id == source_id).values(client_id=target_id)
    )


async def client_messages(session: AsyncSession, client_id: UUID) -> list[Message]:
    rows = await session.scalars(
        select(Message).where(Message.client_id == client_id).order_by(Message.created_at)
    )
    return list(rows)


def messages_to(
    client_id: UUID, addresses: list[str], *, account_address: str | None
) -> ColumnElement[bool]:
    """Her messages, and those sent to her addresses without her record (account e-mails, a
    gift card she bought)."""
    mine: ColumnElement[bool] = Message.client_id == client_id
    if addresses:
        mine = or_(mine, func.lower(Message.recipient).in_([a.lower() for a in addresses]))
    if account_address:  # her account's own e-mails, not what others sent to that address
        mine = or_(
            mine,
            and_(
                Message.client_id.is_(None),
                func.lower(Message.recipient) == account_address.lower(),
            ),
        )
    return mine


async def cancel_pending(session: AsyncSession, where: ColumnElement[bool], reason: str) -> None:
    await session.execute(
        update(Message)
        .where(where, Message.status.in_(["queued", "sending"]))
        .values(status="cancelled", status_reason=reason)
    )


async def overwrite(session: AsyncSession, where: ColumnElement[bool], **values: Any) -> None:
    await session.execute(update(Message).where(where).values(**values))


# --- the client's choices and blocked addresses ------------------------------------------


async def channel_preference(
    session: AsyncSession, client_id: UUID, *, lock: bool = False
) -> ChannelPreference | None:
    return await session.get(ChannelPreference, client_id, with_for_update=lock)


async def delete_channel_preference(session: AsyncSession, client_id: UUID) -> None:
    await session.execute(delete(ChannelPreference).where(ChannelPreference.client_id == client_id))


async def email_suppression(session: AsyncSession, address: str) -> EmailSuppression | None:
    return await session.get(EmailSuppression, address.lower())


async def suppress_email(
    session: AsyncSession, email: str, *, reason: str, message_id: UUID | None
) -> None:
    await session.execute(
        insert(EmailSuppression)
        .values(email=email.lower(), reason=reason, message_id=message_id, at=utcnow())
        .on_conflict_do_nothing(index_elements=["email"])
    )


# --- provider events ---------------------------------------------------------------------


async def message_by_provider_id(
    session: AsyncSession, provider: str, provider_id: str
) -> Message | None:
    """The message a provider's event is about, locked."""
    return await session.scalar(
        select(Message)
        .where(Message.provider == provider, Message.provider_id == provider_id)
        .with_for_update()
    )


async def insert_event(session: AsyncSession, values: dict[str, Any]) -> UUID | None:
    """The new event's id, or None when this provider's event id was already stored."""
    return await session.scalar(
        insert(MessageEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(MessageEvent.id)
    )


async def mark_delivered(session: AsyncSession, message_id: UUID, *, at: datetime) -> None:
    """A late "delivered" never hides a bounce that came first: only a `sent` message moves."""
    await session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.sent)
        .values(status=MessageStatus.delivered, delivered_at=at)
    )
