"""The bookings domain's client data: bookings and waitlist entries. Erasure cancels what
has not started yet by the cancellation policy (docs/clients.md), then keeps the rest as
anonymous statistics."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import client_view, policy, repository, service
from app.clients import public as clients
from app.core.clock import utcnow

ERASURE = "client data erased"


async def cancel_upcoming(session: AsyncSession, client_id: UUID) -> list[UUID]:
    """Cancel the client's bookings that have not started, as if she had cancelled them
    herself: the time is freed, and payments follows the policy (a deposit is refunded when
    she is in time, kept inside the notice period; anything else paid goes back)."""
    upcoming = await repository.upcoming_of_client(
        session, client_id, now=utcnow(), statuses=policy.CHANGEABLE
    )
    for booking in upcoming:
        await service.cancel_booking(
            session,
            booking,
            service.Actor("system"),
            reason=ERASURE,
            requested_by_client=True,
        )
    return [b.id for b in upcoming]


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {"bookings": await client_view.export_client_bookings(session, client.id)}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    cancelled = await cancel_upcoming(session, client.id)
    await session.flush()
    await client_view.anonymize_client_bookings(session, client.id)
    return {"bookings_cancelled": [str(b) for b in cancelled]}


async def merge(session: AsyncSession, source_id: UUID, target_id: UUID) -> dict[str, Any]:
    moved = await client_view.reassign_client(session, source_id=source_id, target_id=target_id)
    return {"bookings_moved": moved}


clients.declare_client_data(
    "bookings",
    references={"bookings.client_id", "waitlist_entries.client_id"},
    export=export,
    erase=erase,
    merge=merge,
)
