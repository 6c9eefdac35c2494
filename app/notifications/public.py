"""What other domains may use from notifications: write a message in their transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.notifications.channels import encode_attachment, stored_attachment
from app.notifications.content import ERASED
from app.notifications.models import Channel, Message
from app.notifications.service import Recipient, queue

__all__ = [
    "Channel",
    "Recipient",
    "anonymize_client_messages",
    "encode_attachment",
    "export_client_messages",
    "queue",
    "stored_attachment",
]


async def export_client_messages(session: AsyncSession, client_id: UUID) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Message).where(Message.client_id == client_id).order_by(Message.created_at)
    )
    return [
        {
            "channel": m.channel,
            "template": m.template,
            "recipient": m.recipient,
            "subject": m.subject,
            "text": m.body_text,  # the redacted preview: links carry live tokens
            "status": m.status,
            "created_at": m.created_at,
        }
        for m in rows
    ]


async def anonymize_client_messages(
    session: AsyncSession,
    client_id: UUID,
    addresses: list[str],
    *,
    account_address: str | None = None,
) -> None:
    """The history stays countable (what was sent, when, how it went) without its words: her
    messages, and those sent to her addresses without her record (account e-mails, a gift card
    she bought)."""
    mine = Message.client_id == client_id
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
    await session.execute(
        update(Message)
        .where(mine, Message.status.in_(["queued", "sending"]))
        .values(status="cancelled", status_reason="the client's data was erased")
    )
    await session.execute(
        update(Message)
        .where(mine)
        .values(
            recipient="effacé",
            subject=None,
            body_text=ERASED,
            sealed_content=None,
            attachments=[],
            meta={},
        )
    )
