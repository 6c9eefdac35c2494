"""The waitlist: a client asks for services between two dates; when a matching slot frees up
(a cancellation, an expired hold), the first clients waiting are offered it.

The offer is recorded on the entry (status `offered`, the start and the practitioner); it
holds nothing: the first client to book the slot gets it. Sending the offer by SMS or e-mail
belongs to the notifications domain, which follows `bookings.waitlist_offered`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import public as availability
from app.bookings import repository
from app.bookings.errors import ClientRequired
from app.bookings.models import Booking, WaitlistEntry, WaitlistStatus
from app.bookings.schemas import BookingClientIn
from app.bookings.topics import TOPIC_WAITLIST_OFFERED
from app.clients import public as clients
from app.core import outbox
from app.core.clock import utcnow
from app.core.errors import ValidationFailed
from app.core.ids import new_id
from app.core.timeutils import zone

OFFERS_PER_FREED_SLOT = 3


async def join(
    session: AsyncSession,
    *,
    service_ids: list[UUID],
    date_from: date,
    date_to: date,
    practitioner_id: UUID | None,
    client_id: UUID | None,
    client: BookingClientIn | None,
) -> WaitlistEntry:
    if date_to < date_from or date_from < utcnow().astimezone(zone()).date():
        raise ValidationFailed("Ask for a date range from today onwards, date_from first.")
    if client_id is None:
        if client is None:
            raise ClientRequired()
        client_id = (
            await clients.find_or_create(
                session,
                first_name=client.first_name,
                last_name=client.last_name,
                email=str(client.email) if client.email else None,
                phone=client.phone,
            )
        ).id
    entry = WaitlistEntry(
        id=new_id(),
        client_id=client_id,
        service_ids=service_ids,
        practitioner_id=practitioner_id,
        date_from=date_from,
        date_to=date_to,
        status=WaitlistStatus.waiting,
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


async def offer_freed_slot(session: AsyncSession, freed: Booking) -> list[WaitlistEntry]:
    """Offer the time a booking gave up to the first waiting clients it suits."""
    if freed.start_at <= utcnow():
        return []
    items = (await repository.items_of(session, [freed.id]))[freed.id]
    practitioner_id = items[0].practitioner_id if items else None
    offered: list[WaitlistEntry] = []
    for entry in await repository.waiting_entries(
        session, on_date=freed.start_at.astimezone(zone()), limit=20
    ):
        if entry.practitioner_id not in (None, practitioner_id):
            continue
        placed = await availability.place(
            session,
            service_ids=list(entry.service_ids),
            start=freed.start_at,
            practitioner_id=practitioner_id,
            online=True,
        )
        if isinstance(placed, availability.Refusal):
            continue
        entry.status = WaitlistStatus.offered
        entry.offered_start_at, entry.offered_at = freed.start_at, utcnow()
        entry.offered_practitioner_id = placed.candidate.practitioner_id
        offered.append(entry)
        await outbox.enqueue(
            session,
            TOPIC_WAITLIST_OFFERED,
            {
                "entry_id": entry.id,
                "client_id": entry.client_id,
                "start": freed.start_at,
                "service_ids": list(entry.service_ids),
            },
        )
        if len(offered) == OFFERS_PER_FREED_SLOT:
            break
    return offered


def entries_query(*, status: str | None) -> Select[WaitlistEntry]:
    """Waitlist entries, with that status if given."""
    statement = select(WaitlistEntry)
    if status is not None:
        statement = statement.where(WaitlistEntry.status == status)
    return statement
