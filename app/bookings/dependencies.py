"""Loaders that check who may see a booking, so handlers receive only rows the caller may
touch."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from app.auth.public import FRONT_DESK, CurrentUser, DbSession, Principal, Role
from app.bookings import repository
from app.bookings.errors import BookingNotFound
from app.bookings.models import Booking
from app.bookings.service import Actor
from app.clients import public as clients
from app.core.errors import Forbidden
from app.practitioners import public as practitioners


def actor_of(principal: Principal | None) -> Actor:
    if principal is None:
        return Actor(kind="link")
    return Actor(kind="staff" if principal.is_staff else "client", user_id=principal.user_id)


async def booking_for_caller(
    booking_id: UUID, principal: CurrentUser, session: DbSession
) -> Booking:
    """The booking, locked for the change to come, if the caller may act on it: front desk
    staff on any, a practitioner on hers, a client on her own (others get a 404)."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None:
        raise BookingNotFound()
    if principal.has_role(*FRONT_DESK):
        return booking
    if principal.has_role(Role.practitioner):
        own = await practitioners.practitioner_for_user(session, principal.user_id)
        items = (await repository.items_of(session, [booking.id]))[booking.id]
        if own is None or all(item.practitioner_id != own for item in items):
            raise Forbidden("This booking is not in your calendar.")
        return booking
    client = await clients.client_for_user(session, principal.user_id)
    if client is None or client.id != booking.client_id:
        raise BookingNotFound()
    return booking


BookingForCaller = Annotated[Booking, Depends(booking_for_caller)]
