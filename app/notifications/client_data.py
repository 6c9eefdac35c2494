"""The notifications domain's client data: her messages and where she wants her service
messages (channel preferences, with the channels she turned off)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.notifications import repository
from app.notifications.models import ChannelPreference
from app.notifications.public import anonymize_client_messages, export_client_messages


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    preference = await repository.channel_preference(session, client.id)
    return {
        "messages": await export_client_messages(session, client.id),
        "notification_preferences": None
        if preference is None
        else {"sms": preference.sms, "email": preference.email},
    }


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    addresses = [a for a in (client.email, client.phone) if a]
    await anonymize_client_messages(
        session, client.id, addresses, account_address=client.unproven_email
    )
    await repository.delete_channel_preference(session, client.id)


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    """Messages move. A channel either record turned off stays off: an opt-out is never
    undone by a merge."""
    await repository.move_messages(session, source_id, target_id)
    source = await repository.channel_preference(session, source_id, lock=True)
    if source is None:
        return
    target = await repository.channel_preference(session, target_id, lock=True)
    if target is None:
        target = ChannelPreference(client_id=target_id, sms=True, email=True)
        session.add(target)
    target.sms = target.sms and source.sms
    target.email = target.email and source.email
    target.updated_at = utcnow()
    await session.delete(source)
    await session.flush()


clients.declare_client_data(
    "notifications",
    references={"messages.client_id", "channel_preferences.client_id"},
    export=export,
    erase=erase,
    merge=merge,
)
