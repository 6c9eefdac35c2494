"""A booking at the till: the desk's order takes it over (its services become the order's
lines, and what is left is paid there), and completing the order completes the visit. Once
taken over, the booking itself takes no more payment (its payable says it is closed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository
from app.bookings.errors import BookingNotFound
from app.bookings.models import Booking, BookingStatus
from app.core.errors import AppError

BILLABLE = frozenset({BookingStatus.confirmed, BookingStatus.checked_in, BookingStatus.completed})


class BookingNotBillable(AppError):
    status, code, title = 409, "booking_not_billable", "This booking cannot be checked out"


class BookingAlreadyAtTill(AppError):
    status, code, title = 409, "booking_already_at_till", "This booking is already on an order"


@dataclass(frozen=True, slots=True)
class TillService:
    service_id: UUID
    practitioner_id: UUID
    price_cents: int
    vat_rate: Decimal
    covered_by: str | None = None  # paid in advance (a package's session): 0 € at the till


@dataclass(frozen=True, slots=True)
class TillBooking:
    id: UUID
    client_id: UUID
    status: BookingStatus
    start_at: datetime
    services: tuple[TillService, ...]
    travel_fee_cents: int
    discount_cents: int  # a promo code's, taken off when it was booked
    total_cents: int


def _till_booking(booking: Booking, services: list[TillService]) -> TillBooking:
    return TillBooking(
        id=booking.id,
        client_id=booking.client_id,
        status=BookingStatus(booking.status),
        start_at=booking.start_at,
        services=tuple(services),
        travel_fee_cents=booking.travel_fee_cents,
        discount_cents=booking.discount_cents,
        total_cents=booking.total_cents,
    )


async def take_to_till(session: AsyncSession, booking_id: UUID, *, order_id: UUID) -> TillBooking:
    """Hand a booking over to an order (locked): refused when the visit is not one the
    salon checks out (held, cancelled, no-show) or another order already has it."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None:
        raise BookingNotFound()
    if BookingStatus(booking.status) not in BILLABLE:
        raise BookingNotBillable(f"A booking that is {booking.status} is not checked out.")
    if booking.order_id is not None and booking.order_id != order_id:
        raise BookingAlreadyAtTill(extra={"order_id": str(booking.order_id)})
    booking.order_id = order_id
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    services = [
        TillService(i.service_id, i.practitioner_id, i.price_cents, i.vat_rate, i.covered_by)
        for i in items
    ]
    return _till_booking(booking, services)


async def release_from_till(session: AsyncSession, booking_id: UUID, *, order_id: UUID) -> None:
    """The order was abandoned: the booking is paid for on its own again."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is not None and booking.order_id == order_id:
        booking.order_id = None


async def complete_at_till(
    session: AsyncSession, booking_id: UUID, *, actor_user_id: UUID | None
) -> None:
    """The order's ticket was made: the visit is completed (the products its services use
    are then taken from stock), unless it already was."""
    # bookings.service imports availability, which imports bookings.public (this module's
    # importer): imported here, once everything is loaded.
    from app.bookings import service

    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None:
        raise BookingNotFound()
    if BookingStatus(booking.status) is BookingStatus.completed:
        return
    await service.change_status(
        session,
        booking,
        service.Actor("staff", actor_user_id),
        target=BookingStatus.completed,
        note="checked out at the till",
    )
