"""What the notifications domain needs to write to a client about a booking, and which
bookings are due a reminder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Interval, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import links, repository
from app.bookings.errors import BookingNotFound
from app.bookings.models import Booking, BookingStatus
from app.catalog import public as catalog
from app.practitioners import public as practitioners


@dataclass(frozen=True, slots=True)
class BookingBrief:
    id: UUID
    client_id: UUID
    status: str
    start_at: datetime
    end_at: datetime
    location: str
    home_address: str | None
    total_cents: int
    deposit_cents: int
    deposit_policy: str | None  # arrhes or acompte: the word the messages use
    services: list[str]
    practitioners: list[str]
    manage_token: str


async def booking_brief(session: AsyncSession, booking_id: UUID) -> BookingBrief:
    booking = await repository.get_booking(session, booking_id)
    if booking is None:
        raise BookingNotFound()
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    services = await catalog.service_names(session, {i.service_id for i in items})
    people = await practitioners.practitioner_names(session, {i.practitioner_id for i in items})
    return BookingBrief(
        id=booking.id,
        client_id=booking.client_id,
        status=booking.status,
        start_at=booking.start_at,
        end_at=booking.end_at,
        location=booking.location,
        home_address=booking.home_address,
        total_cents=booking.total_cents,
        deposit_cents=booking.deposit_cents,
        deposit_policy=booking.deposit_policy,
        services=[services[i.service_id] for i in items],
        practitioners=sorted({people[i.practitioner_id] for i in items}),
        manage_token=links.manage_token(booking.id, booking.end_at),
    )


@dataclass(frozen=True, slots=True)
class ReminderDue:
    booking_id: UUID
    client_id: UUID
    start_at: datetime


async def lock_reminders_due(
    session: AsyncSession, *, now: datetime, until: datetime, limit: int
) -> list[ReminderDue]:
    """Confirmed bookings starting in (now, until] that were booked before their reminder was
    due (a booking made inside the window has just had its confirmation). The rows are locked,
    skipping those another scanner holds, until the caller's transaction ends."""
    lead = until - now
    rows = await session.execute(
        select(Booking.id, Booking.client_id, Booking.start_at)
        .where(
            Booking.status == BookingStatus.confirmed,
            Booking.start_at > now,
            Booking.start_at <= until,
            Booking.created_at + literal(lead, Interval()) <= Booking.start_at,
        )
        .order_by(Booking.start_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [ReminderDue(*row) for row in rows]
