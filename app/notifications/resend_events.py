"""Resend's delivery events, applied to our messages. Each event is stored once by its Svix
id; its signature is checked before (`app.integrations.resend_email.webhooks.verify`)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.ids import new_id
from app.notifications.models import Message, MessageEvent, MessageStatus
from app.notifications.service import suppress_email

logger = logging.getLogger(__name__)


_STATUS = {
    "email.delivered": MessageStatus.delivered,
    "email.bounced": MessageStatus.bounced,
    "email.complained": MessageStatus.complained,
    "email.failed": MessageStatus.failed,
    "email.suppressed": MessageStatus.suppressed,
}


def _is_hard_bounce(data: dict[str, Any]) -> bool:
    """Bounce shapes vary: read them tolerantly. Only a permanent bounce blocks the address."""
    bounce = data.get("bounce") or {}
    kind = str(bounce.get("type") or bounce.get("bounceType") or data.get("type") or "")
    return kind.lower() in {"permanent", "hard", "hardbounce", "hard_bounce", ""}


async def apply(session: AsyncSession, *, event_id: str, body: dict[str, Any]) -> str:
    """Record the event once and move its message; returns what happened."""
    kind = str(body.get("type", ""))
    data = body.get("data") or {}
    email_id = data.get("email_id")
    message = None
    if email_id:
        message = await session.scalar(
            select(Message)
            .where(Message.provider == "resend", Message.provider_id == str(email_id))
            .with_for_update()
        )
    inserted = await session.scalar(
        insert(MessageEvent)
        .values(
            id=new_id(),
            provider="resend",
            event_id=event_id[:200],
            event_type=kind[:60],
            message_id=message.id if message else None,
            payload=json_safe(body),
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(MessageEvent.id)
    )
    if inserted is None:
        return "duplicate"
    if message is None:
        logger.warning("Resend event for an unknown message", extra={"event_id": event_id})
        return "unmatched"
    status = _STATUS.get(kind)
    if status is None:
        return "ignored"
    now = utcnow()
    if status is MessageStatus.delivered:
        # A late "delivered" never hides a bounce that came first.
        await session.execute(
            update(Message)
            .where(Message.id == message.id, Message.status == MessageStatus.sent)
            .values(status=status, delivered_at=now)
        )
        return "applied"
    message.status, message.status_reason = status, kind
    if status is MessageStatus.complained or (
        status is MessageStatus.bounced and _is_hard_bounce(data)
    ):
        await suppress_email(session, message.recipient, reason=status.value, message_id=message.id)
    return "applied"
