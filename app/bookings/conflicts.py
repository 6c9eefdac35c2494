"""Bookings standing in the way of a closure, an absence, a block or a practitioner leaving.

The salon decides: without `force` the change is refused with the list; with it the change
is made and the same list comes back, for the front desk to rebook or reassign.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.errors import BookingsInConflict
from app.bookings.models import Booking, BookingItem, BookingStatus
from app.core.clock import utcnow
from app.core.timeutils import SalonDateTime

_HOLDING = (BookingStatus.pending_payment, BookingStatus.confirmed, BookingStatus.checked_in)

FORCE_DESCRIPTION = (
    "Make the change even over live bookings: they stay booked and are listed in the answer "
    "(`conflicting_bookings`) to be rebooked or reassigned. Without it, such a change is "
    "refused with 409 `bookings_in_conflict` and the list."
)


class ConflictOut(BaseModel):
    """A live booking the change stands over."""

    id: UUID
    status: BookingStatus
    start: SalonDateTime
    end: SalonDateTime
    client_id: UUID
    practitioner_ids: list[UUID] = Field(description="Who is booked for it")


async def bookings_in_conflict(
    session: AsyncSession,
    *,
    start: datetime | None,
    end: datetime | None,
    practitioner_id: UUID | None = None,
) -> list[ConflictOut]:
    """Live bookings (live holds included) not yet over that overlap [start, end) (open ends
    mean "any time"), of one practitioner or of anyone."""
    now = utcnow()
    items = select(BookingItem.booking_id, BookingItem.practitioner_id).join(
        Booking, Booking.id == BookingItem.booking_id
    )
    items = items.where(
        Booking.status.in_(_HOLDING),
        Booking.end_at > now,
        or_(Booking.status != BookingStatus.pending_payment, Booking.hold_expires_at > now),
    )
    if start is not None:
        items = items.where(BookingItem.end_at > start)
    if end is not None:
        items = items.where(BookingItem.start_at < end)
    if practitioner_id is not None:
        items = items.where(BookingItem.practitioner_id == practitioner_id)
    who: dict[UUID, list[UUID]] = {}
    for booking_id, practitioner in await session.execute(items):
        who.setdefault(booking_id, []).append(practitioner)
    if not who:
        return []
    found = await session.scalars(
        select(Booking).where(Booking.id.in_(list(who))).order_by(Booking.start_at, Booking.id)
    )
    return [
        ConflictOut(
            id=b.id,
            status=BookingStatus(b.status),
            start=b.start_at,
            end=b.end_at,
            client_id=b.client_id,
            practitioner_ids=sorted(set(who[b.id]), key=str),
        )
        for b in found
    ]


def refuse_unless_forced(conflicts: Sequence[ConflictOut], *, force: bool, what: str) -> None:
    """Refuse the change while bookings stand in the way, unless the caller forces it."""
    if conflicts and not force:
        raise BookingsInConflict(
            f"{len(conflicts)} booking(s) stand in the way of this {what}: rebook them first, "
            "or send `force: true` to go ahead and get the list.",
            extra={"bookings": [c.model_dump(mode="json") for c in conflicts]},
        )
