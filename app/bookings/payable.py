"""What the payments domain needs from a booking: what it costs, who served it, and the one
change a payment makes to it (a paid deposit confirms a hold)."""

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
from app.core import outbox
from app.core.clock import utcnow

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


async def payable_booking(
    session: AsyncSession, booking_id: UUID, *, lock: bool = False
) -> PayableBooking:
    booking = await repository.get_booking(session, booking_id, lock=lock)
    if booking is None:
        raise BookingNotFound()
    shares: dict[UUID, int] = defaultdict(int)
    for item in (await repository.items_of(session, [booking.id]))[booking.id]:
        shares[item.practitioner_id] += item.price_cents
    return _payable(booking, dict(shares))


def _payable(booking: Booking, shares: dict[UUID, int]) -> PayableBooking:
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
