"""Loaders that check who may see a booking, so handlers receive only rows the caller may
touch."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from app.auth.public import CurrentUser, Principal, rule
from app.bookings import repository
from app.bookings.access import BOOKING_RULE, in_scope
from app.bookings.errors import BookingNotFound
from app.bookings.models import Booking
from app.bookings.service import Actor
from app.core.db import DbSession


def actor_of(principal: Principal | None) -> Actor:
    if principal is None:
        return Actor(kind="link")
    return Actor(kind="staff" if principal.is_staff else "client", user_id=principal.user_id)


@rule(BOOKING_RULE)
async def booking_for_caller(
    booking_id: UUID, principal: CurrentUser, session: DbSession
) -> Booking:
    """The booking, locked for the change to come, if it is in the caller's scope (front
    desk: any; a practitioner: hers; a client: her own). Any other answers 404."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None or not await in_scope(session, booking, principal):
        raise BookingNotFound()
    return booking


BookingForCaller = Annotated[Booking, Depends(booking_for_caller)]
