from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class Kind(StrEnum):
    service = "service"  # confirmations, reminders: no marketing consent needed
    marketing = "marketing"  # consent, unsubscribe link or STOP, and SMS quiet hours


class MessageStatus(StrEnum):
    queued = "queued"  # waiting for its time (`next_attempt_at`)
    sending = "sending"  # claimed by a worker until `lease_until`
    sent = "sent"  # the provider accepted it
    delivered = "delivered"  # the provider says it arrived (Resend webhook)
    bounced = "bounced"
    complained = "complained"
    failed = "failed"  # every attempt failed: shown to staff
    cancelled = "cancelled"  # no longer true (a reminder of a moved or cancelled booking)
    suppressed = "suppressed"  # never sent: opted out, no consent, or address blocked


OPEN_STATUSES = (MessageStatus.queued, MessageStatus.sending)


class Message(Base):
    """One SMS or e-mail to one recipient, rendered when it is written. What the client
    receives is sealed in `sealed_content` (see `content.py`); `subject` and `body_text` are
    the redacted preview staff read, with every link and secret-looking value masked."""

    __tablename__ = "messages"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))
    template: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    # None once the client's data is erased.
    sealed_content: Mapped[str | None] = mapped_column(Text)
    # File names only: inline contents are sealed with the rest.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    client_id: Mapped[UUID | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    booking_id: Mapped[UUID | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    # What must still hold when it goes (a reminder: the booking's start, epoch seconds).
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # One message per cause: a replayed cause never writes it twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    status_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    provider: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        check_in("channel", Channel),
        check_in("kind", Kind),
        check_in("status", MessageStatus),
        Index("uq_messages_dedupe", "dedupe_key", unique=True),
        Index(
            "ix_messages_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'sending')"),
        ),
        Index("ix_messages_client_created", "client_id", "created_at"),
        Index("ix_messages_booking", "booking_id"),
        Index("ix_messages_provider_id", "provider", "provider_id"),
        Index("ix_messages_status_created", "status", "created_at"),
    )


class ChannelPreference(Base):
    """Where a client wants her service messages (confirmations, reminders). Marketing
    follows her consents in the clients domain."""

    __tablename__ = "channel_preferences"

    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    sms: Mapped[bool] = mapped_column(server_default=text("true"))
    email: Mapped[bool] = mapped_column(server_default=text("true"))
    updated_at: Mapped[datetime]


class EmailSuppression(Base):
    """An address that bounced for good or complained: no e-mail goes there any more."""

    __tablename__ = "email_suppressions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[UUID | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    at: Mapped[datetime]


class MessageEvent(Base):
    """Delivery news from a provider (Resend webhooks), stored once by its id."""

    __tablename__ = "message_events"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(60))
    message_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime]

    __table_args__ = (Index("uq_message_events_event", "provider", "event_id", unique=True),)
