"""Whose bookings are whose: the one scope check every router uses, through the loader of
`dependencies.py` or, for checkouts that name the booking in their body, `ensure_may_pay`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import FRONT_DESK, Access, Principal, Rule, declared_in_handler
from app.bookings import repository
from app.bookings.client_view import practitioner_serves
from app.bookings.errors import BookingNotFound
from app.bookings.links import booking_from_manage_token
from app.bookings.models import Booking
from app.clients import public as clients
from app.core.errors import Forbidden
from app.practitioners import public as practitioners

_OWN, _YES = Access.own, Access.yes
_SCOPE = {"client": _OWN, "practitioner": _OWN, "receptionist": _YES, "manager": _YES}
BOOKING_RULE = Rule.of(
    "booking: the client's own, a practitioner's when she is booked on it", owner=_YES, **_SCOPE
)
# Checkouts that name the booking in their body run `ensure_may_pay` in the handler; these
# put its rule in the permission table.
BookingPayer: Any = declared_in_handler(
    Rule.of(
        "booking: as above, or whoever holds its manage link",
        anonymous=_OWN,
        owner=_YES,
        **_SCOPE,
    )
)
BookingCheckout: Any = declared_in_handler(
    Rule.of("booking: the client's own, or whoever holds its manage link", default=_OWN)
)


async def in_scope(
    session: AsyncSession, booking: Booking, principal: Principal | None, *, staff: bool = True
) -> bool:
    """Front desk staff: any booking; a practitioner: one she is booked on; a client: her
    own. With `staff=False`, only the client herself."""
    if principal is None:
        return False
    if principal.is_staff:
        if not staff:
            return False
        if principal.has_role(*FRONT_DESK):
            return True
        own = await practitioners.practitioner_for_user(session, principal.user_id)
        items = (await repository.items_of(session, [booking.id]))[booking.id]
        return own is not None and any(item.practitioner_id == own for item in items)
    client = await clients.client_for_user(session, principal.user_id)
    return client is not None and client.id == booking.client_id


async def ensure_may_pay(
    session: AsyncSession,
    booking_id: UUID,
    principal: Principal | None,
    token: str | None,
    *,
    staff: bool = True,
) -> None:
    """Checkout on a booking: whoever holds its manage link (with the client's rights, never
    more), or a caller whose scope holds it (`staff=False`: only the client). Else 404."""
    if token is not None:
        if booking_from_manage_token(token) == booking_id:
            return
        raise Forbidden("This link is for another booking.")
    booking = await repository.get_booking(session, booking_id)
    if booking is None or not await in_scope(session, booking, principal, staff=staff):
        raise BookingNotFound()


async def ensure_practitioner_may_book(
    session: AsyncSession,
    principal: Principal | None,
    *,
    client_id: UUID | None,
    email: str | None,
    phone: str | None,
) -> None:
    """A practitioner (without a front desk role) books her own clients or new ones. Booking
    a salon client she has not served would put that client in her scope (record, history,
    health notes), so that booking is the front desk's: 404 for a client named by id, 403
    for one found by her contact details."""
    if principal is None or not principal.is_staff or principal.has_role(*FRONT_DESK):
        return
    existing = client_id or await clients.matching_client(session, email=email, phone=phone)
    if existing is None:
        return
    own = await practitioners.practitioner_for_user(session, principal.user_id)
    if own is not None and await practitioner_serves(session, own, existing):
        return
    if client_id is not None:
        raise clients.ClientNotFound()
    raise Forbidden("This client is already known to the salon: the front desk books her.")


# Lists and the calendar filter by practitioner in the handler (a practitioner sees only
# hers); these put that rule in the permission table.
OwnCalendar: Any = declared_in_handler(
    Rule.of(
        "calendar: a practitioner sees only her own",
        practitioner=_OWN,
        receptionist=_YES,
        manager=_YES,
        owner=_YES,
    )
)
