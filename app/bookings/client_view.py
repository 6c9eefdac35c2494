"""What the bookings domain tells other domains about one client: her history, her data for
a GDPR export, and what erasure or a merge of records does to her bookings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository
from app.bookings.models import Booking, BookingEvent, BookingItem, BookingStatus, WaitlistEntry

S = BookingStatus
ERASED_ADDRESS = "[adresse effacée]"


@dataclass
class ClientBookings:
    upcoming: list[dict[str, Any]] = field(default_factory=list)
    past: list[dict[str, Any]] = field(default_factory=list)
    visits: int = 0
    no_shows: int = 0
    cancellations: int = 0
    late_cancellations: int = 0
    first_visit: datetime | None = None
    last_visit: datetime | None = None
    visits_12_months: int = 0
    spent_12_months_cents: int = 0


async def client_history(
    session: AsyncSession, client_id: UUID, *, now: datetime
) -> ClientBookings:
    rows = (
        await session.scalars(
            select(Booking).where(Booking.client_id == client_id).order_by(Booking.start_at)
        )
    ).all()
    items = await repository.items_of(session, [b.id for b in rows])
    result = ClientBookings()
    year_ago = now - timedelta(days=365)
    for booking in rows:
        entry = {
            "id": booking.id,
            "status": booking.status,
            "start": booking.start_at,
            "end": booking.end_at,
            "total_cents": booking.total_cents,
            "service_ids": [i.service_id for i in items[booking.id]],
            "practitioner_ids": sorted({i.practitioner_id for i in items[booking.id]}),
        }
        live = booking.status in (S.pending_payment, S.confirmed, S.checked_in)
        (result.upcoming if live and booking.end_at > now else result.past).append(entry)
        result.no_shows += booking.status == S.no_show
        result.cancellations += booking.status == S.cancelled
        result.late_cancellations += bool(booking.late_cancellation)
        if booking.status == S.completed:
            result.visits += 1
            result.first_visit = result.first_visit or booking.start_at
            result.last_visit = booking.start_at
            if booking.start_at >= year_ago:
                result.visits_12_months += 1
                result.spent_12_months_cents += booking.total_cents
    result.past.reverse()
    return result


async def export_client_bookings(session: AsyncSession, client_id: UUID) -> list[dict[str, Any]]:
    """Everything the bookings domain holds about a client, for a GDPR export."""
    rows = (await session.scalars(select(Booking).where(Booking.client_id == client_id))).all()
    items = await repository.items_of(session, [b.id for b in rows])
    exported = []
    for b in rows:
        exported.append(
            {
                "id": b.id,
                "status": b.status,
                "source": b.source,
                "location": b.location,
                "home_address": b.home_address,
                "start": b.start_at,
                "end": b.end_at,
                "total_cents": b.total_cents,
                "deposit_cents": b.deposit_cents,
                "notes": b.notes,
                "cancelled_at": b.cancelled_at,
                "cancellation_reason": b.cancellation_reason,
                "items": [
                    {
                        "service_id": i.service_id,
                        "practitioner_id": i.practitioner_id,
                        "start": i.start_at,
                        "end": i.end_at,
                        "price_cents": i.price_cents,
                    }
                    for i in items[b.id]
                ],
            }
        )
    waitlist = (
        await session.scalars(select(WaitlistEntry).where(WaitlistEntry.client_id == client_id))
    ).all()
    exported += [
        {
            "waitlist_entry": w.id,
            "service_ids": w.service_ids,
            "date_from": w.date_from,
            "date_to": w.date_to,
            "status": w.status,
        }
        for w in waitlist
    ]
    return exported


async def anonymize_client_bookings(session: AsyncSession, client_id: UUID) -> None:
    """Keep the bookings as anonymous statistics: drop the free text and the home address."""
    ids = select(Booking.id).where(Booking.client_id == client_id)
    await session.execute(
        update(Booking)
        .where(Booking.client_id == client_id)
        .values(
            notes=None,
            # A home visit keeps saying it was one, without saying where.
            home_address=case((Booking.location == "home", ERASED_ADDRESS), else_=None),
            home_latitude=None,
            home_longitude=None,
            cancellation_reason=None,
        )
    )
    await session.execute(
        update(BookingEvent).where(BookingEvent.booking_id.in_(ids)).values(note=None)
    )
    await session.execute(delete(WaitlistEntry).where(WaitlistEntry.client_id == client_id))


async def reassign_client(session: AsyncSession, *, source_id: UUID, target_id: UUID) -> int:
    """Move every booking and waitlist entry of one client record to another (a merge)."""
    moved = await session.execute(
        update(Booking).where(Booking.client_id == source_id).values(client_id=target_id)
    )
    await session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.client_id == source_id)
        .values(client_id=target_id)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


async def last_booking_at(session: AsyncSession, client_ids: list[UUID]) -> dict[UUID, datetime]:
    rows = await session.execute(
        select(Booking.client_id, func.max(Booking.start_at))
        .where(Booking.client_id.in_(client_ids))
        .group_by(Booking.client_id)
    )
    return {client_id: last for client_id, last in rows}


def clients_matching(
    *,
    last_visit_after: datetime | None = None,
    last_visit_before: datetime | None = None,
    min_no_shows: int | None = None,
) -> Select[UUID]:
    """Ids of clients whose visits (completed bookings) and no-shows match, for the CRM's
    client filters."""
    visits = func.max(Booking.start_at).filter(Booking.status == S.completed)
    no_shows = func.count().filter(Booking.status == S.no_show)
    statement = select(Booking.client_id).group_by(Booking.client_id)
    if last_visit_after is not None:
        statement = statement.having(visits >= last_visit_after)
    if last_visit_before is not None:
        statement = statement.having(visits < last_visit_before)
    if min_no_shows is not None:
        statement = statement.having(no_shows >= min_no_shows)
    return statement


async def has_completed_visit(session: AsyncSession, client_id: UUID) -> bool:
    found = await session.scalar(
        select(Booking.id)
        .where(Booking.client_id == client_id, Booking.status == BookingStatus.completed)
        .limit(1)
    )
    return found is not None


def clients_of_practitioner(practitioner_id: UUID | None) -> Select[UUID]:
    """Ids of the clients a practitioner has served or is booked with (any booking of hers
    that was not cancelled): the clients whose record she may open."""
    return (
        select(Booking.client_id)
        .join(BookingItem, BookingItem.booking_id == Booking.id)
        .where(BookingItem.practitioner_id == practitioner_id, Booking.status != S.cancelled)
        .distinct()
    )


async def practitioner_serves(
    session: AsyncSession, practitioner_id: UUID, client_id: UUID
) -> bool:
    found = await session.scalar(
        clients_of_practitioner(practitioner_id).where(Booking.client_id == client_id).limit(1)
    )
    return found is not None
