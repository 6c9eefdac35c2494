"""What other domains may use from notifications: write a message in their transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.notifications import repository
from app.notifications.channels import encode_attachment, stored_attachment
from app.notifications.content import ERASED
from app.notifications.models import Channel
from app.notifications.service import Recipient, queue, queue_for_client

__all__ = [
    "Channel",
    "Recipient",
    "anonymize_client_messages",
    "encode_attachment",
    "export_client_messages",
    "queue",
    "queue_for_client",
    "stored_attachment",
]


async def export_client_messages(session: AsyncSession, client_id: UUID) -> list[dict[str, Any]]:
    rows = await repository.client_messages(session, client_id)
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
    mine = repository.messages_to(client_id, addresses, account_address=account_address)
    await repository.cancel_pending(session, mine, "the client's data was erased")
    await repository.overwrite(
        session,
        mine,
        recipient="effacé",
        subject=None,
        body_text=ERASED,
        sealed_content=None,
        attachments=[],
        meta={},
    )
