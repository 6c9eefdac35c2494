"""Signed links: the client's manage link (move or cancel without an account) and each
practitioner's private calendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from app.bookings.errors import InvalidCalendarFeed, InvalidManageLink
from app.core.clock import utcnow
from app.core.security import InvalidToken, sign_payload, verify_payload

MANAGE = "booking-manage"
FEED = "calendar-feed"
# The manage link works until a day after the visit (to see what was booked).
MANAGE_GRACE = timedelta(days=1)
FEED_LIFETIME = timedelta(days=3650)


def manage_token(booking_id: UUID, start_at: datetime) -> str:
    return sign_payload(MANAGE, {"b": str(booking_id)}, expires_at=start_at + MANAGE_GRACE)


def booking_from_manage_token(token: str) -> UUID:
    try:
        return UUID(verify_payload(MANAGE, token)["b"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidManageLink() from exc


def feed_token(practitioner_id: UUID) -> str:
    return sign_payload(FEED, {"p": str(practitioner_id)}, expires_at=utcnow() + FEED_LIFETIME)


def practitioner_from_feed_token(token: str, practitioner_id: UUID) -> None:
    try:
        valid = verify_payload(FEED, token).get("p") == str(practitioner_id)
    except InvalidToken as exc:
        raise InvalidCalendarFeed() from exc
    if not valid:
        raise InvalidCalendarFeed()
