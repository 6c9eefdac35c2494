"""A booking as something paid for (`app/core/payables.py`, kind "booking"): what it costs,
who served it, and the one change a payment makes to it (a paid deposit confirms a hold).
Payments reaches it through the registry, never by importing bookings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from psycopg import errors as pg_errors
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import links, repository
from app.bookings.errors import BookingNotFound
from app.bookings.models import Booking, BookingAllocation, BookingStatus
from app.bookings.topics import TOPIC_CONFIRMED
from app.core import outbox, payables
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import AppError
from app.core.payables import Due, Stage, Taken, Verdict

HOLD_EXPIRED = "hold_expired"


@dataclass(frozen=True, slots=True)
class PayableBooking:
    id: UUID
    client_id: UUID
    status: BookingStatus
    start_at: datetime
    total_cents: int
    deposit_cents: int
    deposit_policy: str | None
    late_cancellation: bool | None
    cancelled_by: str | None
    # Each practitioner's share of the services' prices, for splitting tips.
    practitioner_shares: dict[UUID, int]
    # Each service and its price, for promo codes that cover some services only.
    service_lines: list[tuple[UUID, int]]
    discount_cents: int
    order_id: UUID | None = None  # the till's order that took it over
    source: str = "staff"  # online, phone, walk_in or staff (loyalty's first online booking)


async def payable_booking(
    session: AsyncSession, booking_id: UUID, *, lock: bool = False
) -> PayableBooking:
    booking = await repository.get_booking(session, booking_id, lock=lock)
    if booking is None:
        raise BookingNotFound()
    shares: dict[UUID, int] = defaultdict(int)
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    for item in items:
        shares[item.practitioner_id] += item.price_cents
    return _payable(booking, dict(shares), [(i.service_id, i.price_cents) for i in items])


def _payable(
    booking: Booking, shares: dict[UUID, int], lines: list[tuple[UUID, int]]
) -> PayableBooking:
    return PayableBooking(
        id=booking.id,
        client_id=booking.client_id,
        status=BookingStatus(booking.status),
        start_at=booking.start_at,
        total_cents=booking.total_cents,
        deposit_cents=booking.deposit_cents,
        deposit_policy=booking.deposit_policy,
        late_cancellation=booking.late_cancellation,
        cancelled_by=booking.cancelled_by,
        practitioner_shares=shares,
        service_lines=lines,
        discount_cents=booking.discount_cents,
        order_id=booking.order_id,
        source=booking.source,
    )


def booking_from_manage_token(token: str) -> UUID:
    return links.booking_from_manage_token(token)


class DepositOutcome(StrEnum):
    confirmed = "confirmed"  # the hold became a booking
    already_confirmed = "already_confirmed"  # staff confirmed it first, or a replay
    revived = "revived"  # the hold had expired but its time was still free
    slot_lost = "slot_lost"  # the hold had expired and someone took the time
    not_bookable = "not_bookable"  # cancelled by the client or the salon, or in the past


async def confirm_deposit(session: AsyncSession, booking_id: UUID) -> DepositOutcome:
    """A deposit was paid: confirm the hold. A payment that lands just after its hold expired
    gets the booking back when nobody has taken the time since (PostgreSQL's exclusion
    constraints decide); otherwise the caller refunds it."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None:
        raise BookingNotFound()
    now = utcnow()
    status = BookingStatus(booking.status)
    if status is BookingStatus.pending_payment:
        await _confirm(session, booking, now, kind="deposit_paid", from_status=status)
        return DepositOutcome.confirmed
    if status in {BookingStatus.confirmed, BookingStatus.checked_in, BookingStatus.completed}:
        return DepositOutcome.already_confirmed
    if (
        status is BookingStatus.cancelled
        and booking.cancellation_reason == HOLD_EXPIRED
        and booking.start_at > now
    ):
        if not await _take_time_back(session, booking.id):
            return DepositOutcome.slot_lost
        booking.cancelled_at = booking.cancelled_by = booking.cancellation_reason = None
        await _confirm(session, booking, now, kind="deposit_paid_after_expiry", from_status=status)
        return DepositOutcome.revived
    return DepositOutcome.not_bookable


async def _confirm(
    session: AsyncSession,
    booking: Booking,
    now: datetime,
    *,
    kind: str,
    from_status: BookingStatus,
) -> None:
    booking.status, booking.hold_expires_at, booking.updated_at = BookingStatus.confirmed, None, now
    repository.add_event(
        session, booking, kind=kind, at=now, actor_user_id=None, from_status=from_status
    )
    await outbox.enqueue(session, TOPIC_CONFIRMED, {"booking_id": booking.id, "deposit_paid": True})


async def _take_time_back(session: AsyncSession, booking_id: UUID) -> bool:
    try:
        async with session.begin_nested():
            await session.execute(
                update(BookingAllocation)
                .where(BookingAllocation.booking_id == booking_id)
                .values(live=True)
            )
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == pg_errors.ExclusionViolation.sqlstate:
            return False
        raise
    return True


class BookingNotPayable(AppError):
    status, code, title = 409, "booking_not_payable", "This booking cannot be paid now"


_OPEN = {BookingStatus.confirmed, BookingStatus.checked_in, BookingStatus.completed}
_REFUNDED_OUTCOMES = {DepositOutcome.slot_lost, DepositOutcome.not_bookable}


def _stage(booking: PayableBooking) -> Stage:
    if booking.order_id is not None:  # what is left is paid on the till's order
        return Stage.closed
    if booking.status is BookingStatus.pending_payment:
        return Stage.awaiting_deposit
    return Stage.open if booking.status in _OPEN else Stage.closed


@payables.payable("booking")
class BookingPayable(payables.Payable):
    """A visit: its price, a deposit while it is held, tips for whoever served, a no-show fee
    after a no-show or a late cancellation; nothing is owed once it is cancelled."""

    not_payable = BookingNotPayable

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        booking = await payable_booking(session, subject_id, lock=lock)
        status = booking.status
        at_till = booking.order_id is not None
        return Due(
            client_id=booking.client_id,
            total_cents=booking.total_cents,
            deposit_cents=booking.deposit_cents,
            stage=_stage(booking),
            status="at_till" if at_till else status,
            description=get_settings().salon.name,
            practitioner_shares=booking.practitioner_shares,
            no_show_fee_allowed=status is BookingStatus.no_show
            or (status is BookingStatus.cancelled and bool(booking.late_cancellation)),
            owes=status is not BookingStatus.cancelled and not at_till,
            deposit_terms=booking.deposit_policy,
        )

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        """A paid deposit confirms the hold; one that lands too late is refunded."""
        if taken.purpose != "deposit":
            return Verdict.keep()
        outcome = await confirm_deposit(session, subject_id)
        if outcome in _REFUNDED_OUTCOMES:
            return Verdict.refund(outcome, event=f"booking_{outcome}")
        return Verdict.keep(event=f"booking_{outcome}")


class DiscountNotAllowed(AppError):
    status, code, title = 409, "discount_not_allowed", "A discount cannot be applied now"


async def apply_discount(
    session: AsyncSession, booking_id: UUID, discount_cents: int
) -> PayableBooking:
    """Take a promo code's discount off a booking not yet paid: the total drops, and the
    deposit never exceeds the new total. One discount per booking."""
    booking = await repository.get_booking(session, booking_id, lock=True)
    if booking is None:
        raise BookingNotFound()
    if booking.status not in {BookingStatus.pending_payment, BookingStatus.confirmed}:
        raise DiscountNotAllowed(f"A booking that is {booking.status} keeps its price.")
    if booking.discount_cents:
        raise DiscountNotAllowed("This booking already has a discount.")
    discount = min(discount_cents, booking.total_cents)
    booking.discount_cents, booking.total_cents = discount, booking.total_cents - discount
    booking.deposit_cents = min(booking.deposit_cents, booking.total_cents)
    booking.updated_at = utcnow()
    repository.add_event(
        session,
        booking,
        kind="discount",
        at=booking.updated_at,
        actor_user_id=None,
        note=f"-{discount} cents",
    )
    await session.flush()
    return await payable_booking(session, booking_id)
