"""The client's manage link (see, move or cancel a booking without an account): a token
signed for this one purpose, that dies with the booking's end."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository
from app.bookings.errors import InvalidManageLink
from app.bookings.models import Booking
from app.core.clock import utcnow
from app.core.security import InvalidToken, sign_payload, verify_payload

MANAGE = "booking-manage"


def manage_token(booking_id: UUID, ends_at: datetime) -> str:
    """A link that works until the booking ends (`ends_at`, its end when the link is made)."""
    return sign_payload(MANAGE, {"b": str(booking_id)}, expires_at=ends_at)


def booking_from_manage_token(token: str) -> UUID:
    try:
        return UUID(verify_payload(MANAGE, token)["b"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidManageLink() from exc


async def booking_from_link(session: AsyncSession, token: str, *, lock: bool = False) -> Booking:
    """The booking behind a manage link, refused once the booking has ended: a link sent before
    it was moved earlier dies with the new end, not the old one."""
    booking = await repository.get_booking(session, booking_from_manage_token(token), lock=lock)
    if booking is None or booking.end_at <= utcnow():
        raise InvalidManageLink()
    return booking
