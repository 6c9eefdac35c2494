"""The clients domain's own tables that point at a client: notes, health notes and the
consent ledger (the record itself is handled by gdpr.py and merge.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import service
from app.clients.client_data import ClientIdentity, declare_client_data
from app.clients.models import ClientConsent, ClientHealthNote, ClientNote

_MODELS = (ClientNote, ClientHealthNote, ClientConsent)


async def export(session: AsyncSession, client: ClientIdentity) -> dict[str, Any]:
    health = await session.scalars(
        select(ClientHealthNote).where(ClientHealthNote.client_id == client.id)
    )
    return {
        "notes": [
            {"body": n.body, "created_at": n.created_at}
            for n in await service.notes(session, client.id)
        ],
        "health_notes": [
            {"kind": h.kind, "body": h.body, "created_at": h.created_at} for h in health
        ],
        "consents": [
            {"channel": c.channel, "granted": c.granted, "source": c.source, "at": c.at}
            for c in await service.consent_ledger(session, client.id)
        ],
    }


async def erase(session: AsyncSession, client: ClientIdentity) -> None:
    for model in _MODELS:
        await session.execute(delete(model).where(model.client_id == client.id))


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> None:
    """Notes and health notes move; so does the consent ledger, where the latest row per
    channel still wins (a withdrawal made on the duplicate stays in force unless the
    client granted again later)."""
    for model in _MODELS:
        await session.execute(
            update(model).where(model.client_id == source_id).values(client_id=target_id)
        )


declare_client_data(
    "clients",
    references={
        "client_notes.client_id",
        "client_health_notes.client_id",
        "client_consents.client_id",
    },
    export=export,
    erase=erase,
    merge=merge,
)
