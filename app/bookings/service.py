"""Making, moving, cancelling bookings and changing their status.

The slot is always recomputed on the server, and PostgreSQL's exclusion constraints have the
last word: two clients racing for one slot cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from psycopg import errors as pg_errors
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import public as availability
from app.bookings import policy, repository, waitlist
from app.bookings.errors import (
    BookingNotChangeable,
    BookingNotFound,
    ClientRequired,
    SlotUnavailable,
    TooEarlyForStatus,
    TooLateToChange,
    TransitionNotAllowed,
)
from app.bookings.models import (
    Booking,
    BookingAllocation,
    BookingItem,
    BookingLocation,
    BookingSource,
    BookingStatus,
    DepositPolicy,
)
from app.bookings.payable import HOLD_EXPIRED
from app.bookings.prerequisites import check_prerequisites
from app.bookings.schemas import BookingClientIn
from app.bookings.topics import (
    TOPIC_CANCELLED,
    TOPIC_COMPLETED,
    TOPIC_CONFIRMED,
    TOPIC_HOLD_EXPIRED,
    TOPIC_RESCHEDULED,
)
from app.clients import public as clients
from app.core import coverage, outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.timeutils import in_salon_zone

EXCLUSION_VIOLATION = pg_errors.ExclusionViolation.sqlstate


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on a booking: staff (with an id), a client account, or a manage link."""

    kind: str  # "staff" | "client" | "link" | "system"
    user_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NewBooking:
    service_ids: list[UUID]
    start: datetime
    practitioner_id: UUID | None
    client_id: UUID | None
    client: BookingClientIn | None
    source: BookingSource
    notes: str | None
    location: BookingLocation
    home_address: str | None
    home_point: tuple[Decimal, Decimal] | None
    terms_version: str | None
    # Let a package (or another allowance, app/core/coverage.py) pay for what it covers.
    use_coverage: bool = True


def _dt(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


async def _resolve_client(session: AsyncSession, actor: Actor, data: NewBooking) -> UUID:
    if actor.kind == "staff" and data.client_id is not None:
        return (await clients.get_client(session, data.client_id)).id
    if actor.kind == "client" and actor.user_id is not None:
        own = await clients.client_for_user(session, actor.user_id)
        if own is not None:
            return own.id
    if data.client is None:
        raise ClientRequired("Send `client_id` (staff) or `client` with a name and contact.")
    ref = await clients.find_or_create(
        session,
        first_name=data.client.first_name,
        last_name=data.client.last_name,
        email=str(data.client.email) if data.client.email else None,
        phone=data.client.phone,
    )
    return ref.id


async def release_expired_holds(
    session: AsyncSession, *, start: datetime, end: datetime, now: datetime
) -> None:
    """Expire the holds that block [start, end) but whose time is up, before a new booking is
    inserted there; the periodic task does the same for all of them every minute."""
    for hold in await repository.expired_holds_overlapping(session, now=now, start=start, end=end):
        await expire_hold(session, hold, now=now)


async def expire_hold(session: AsyncSession, hold: Booking, *, now: datetime) -> None:
    previous = hold.status
    hold.status, hold.hold_expires_at = BookingStatus.cancelled, None
    hold.cancelled_at, hold.cancelled_by = now, "system"
    hold.cancellation_reason, hold.updated_at = HOLD_EXPIRED, now
    await repository.release_allocations(session, hold.id)
    await _settle(session, hold, coverage.Outcome.released)
    repository.add_event(
        session, hold, kind="hold_expired", at=now, actor_user_id=None, from_status=previous
    )
    await outbox.enqueue(
        session, TOPIC_HOLD_EXPIRED, {"booking_id": hold.id, "client_id": hold.client_id}
    )


def slot_unavailable(refusal: availability.Refusal) -> SlotUnavailable:
    """The one answer for a time that cannot be booked, with its stable `reason`."""
    return SlotUnavailable(
        "This time is not available. Pick another slot.", extra={"reason": refusal.reason}
    )


async def create_booking(session: AsyncSession, actor: Actor, data: NewBooking) -> Booking:
    """Book the services from `start`. Online bookings whose services ask for a deposit are
    held (`pending_payment`) until it is paid or the hold expires."""
    online = actor.kind != "staff"
    now = utcnow()
    client_id = await _resolve_client(session, actor, data)
    rules = await availability.booking_rules(session)
    await release_expired_holds(
        session,
        start=data.start - timedelta(hours=12),
        end=data.start + timedelta(hours=12),
        now=now,
    )
    home = data.location is BookingLocation.home
    travel_fee = 0
    if home and data.home_point is not None:
        travel_fee = await availability.home_visit_fee(
            session, latitude=data.home_point[0], longitude=data.home_point[1]
        )
    placed = await availability.place(
        session,
        service_ids=data.service_ids,
        start=data.start,
        practitioner_id=data.practitioner_id,
        online=online,
        home=home,
        past_allowed=not online and data.source is BookingSource.walk_in,
    )
    if isinstance(placed, availability.Refusal):
        raise slot_unavailable(placed)
    await check_prerequisites(session, client_id=client_id, specs=placed.specs, start=data.start)
    candidate = placed.candidate
    booking = Booking(
        id=new_id(),
        client_id=client_id,
        source=data.source,
        location=data.location,
        home_address=data.home_address,
        start_at=_dt(candidate.start),
        end_at=_dt(candidate.end),
        notes=data.notes,
        terms_version=data.terms_version,
        created_by_user_id=actor.user_id if actor.kind == "staff" else None,
        created_at=now,
        updated_at=now,
        travel_fee_cents=travel_fee,
    )
    if data.home_point is not None:
        booking.home_latitude, booking.home_longitude = data.home_point
    covered: dict[int, str] = {}
    if data.use_coverage and await _known_client(session, actor, data):
        covered = await _reserve_coverage(session, booking, placed)
    _add_items(session, booking, placed, covered)
    booking.total_cents = _uncovered(placed.prices, covered) + travel_fee
    deposit = sum(
        spec.deposit_cents(price)
        for position, (spec, price) in enumerate(zip(placed.specs, placed.prices, strict=True))
        if position not in covered
    )
    booking.deposit_cents = deposit
    if deposit and online:
        booking.status = BookingStatus.pending_payment
        booking.hold_expires_at = now + timedelta(minutes=rules.hold_minutes)
        booking.deposit_policy = DepositPolicy(rules.deposit_policy)
    else:
        booking.status = BookingStatus.confirmed
        booking.deposit_policy = DepositPolicy(rules.deposit_policy) if deposit else None
    repository.add_event(
        session,
        booking,
        kind="created",
        at=now,
        actor_user_id=actor.user_id if actor.kind == "staff" else None,
        note="walk-in recorded after the visit" if booking.start_at < now else None,
    )
    await _flush_or_slot_unavailable(session)
    if booking.status == BookingStatus.confirmed:
        await outbox.enqueue(session, TOPIC_CONFIRMED, {"booking_id": booking.id})
    return booking


async def _known_client(session: AsyncSession, actor: Actor, data: NewBooking) -> bool:
    """Only a client who is sure to be herself has her allowances used: staff naming her
    record, or her own account; never a guest who typed someone's e-mail."""
    if actor.kind == "staff":
        return data.client_id is not None
    if actor.kind == "client" and actor.user_id is not None:
        return await clients.client_for_user(session, actor.user_id) is not None
    return False


async def _reserve_coverage(
    session: AsyncSession, booking: Booking, placed: availability.Placed
) -> dict[int, str]:
    """Ask the coverers (packages…) for each service; what one reserves is paid in advance.
    No autoflush: the booking is inserted, and the slot checked, at the flush that follows."""
    covered: dict[int, str] = {}
    with session.no_autoflush:
        for position, (spec, price) in enumerate(zip(placed.specs, placed.prices, strict=True)):
            ask = coverage.Ask(
                client_id=booking.client_id,
                booking_id=booking.id,
                service_id=spec.id,
                position=position,
                start_at=booking.start_at,
                price_cents=price,
            )
            cover = await coverage.reserve(session, ask)
            if cover is not None:
                covered[position] = cover.kind
    return covered


def _uncovered(prices: list[int], covered: dict[int, str]) -> int:
    return sum(price for position, price in enumerate(prices) if position not in covered)


async def _settle(session: AsyncSession, booking: Booking, outcome: coverage.Outcome) -> None:
    """Tell what paid for the booking's services in advance what became of the visit."""
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    kinds = {i.covered_by for i in items if i.covered_by}
    if kinds:
        await coverage.settle(session, booking.id, outcome, kinds_used=kinds)


def _add_items(
    session: AsyncSession,
    booking: Booking,
    placed: availability.Placed,
    covered: dict[int, str] | None = None,
) -> None:
    """Add the items, and the allocations that hold the time in PostgreSQL's eyes."""
    covered = covered or {}
    session.add(booking)
    candidate = placed.candidate
    for position, (placement, spec, price) in enumerate(
        zip(candidate.placements, placed.specs, placed.prices, strict=True)
    ):
        session.add(
            BookingItem(
                id=new_id(),
                booking_id=booking.id,
                position=position,
                service_id=spec.id,
                practitioner_id=placement.practitioner_id,
                start_at=_dt(placement.start),
                end_at=_dt(placement.end),
                price_cents=price,
                vat_rate=spec.vat_rate,
                covered_by=covered.get(position),
            )
        )
    holders: list[tuple[UUID | None, UUID | None, list[tuple[int, int]]]] = [
        (candidate.practitioner_id, None, candidate.practitioner_allocations())
    ]
    holders += [(None, rid, ranges) for rid, ranges in candidate.resource_allocations().items()]
    for practitioner_id, resource_id, ranges in holders:
        for a, b in ranges:
            session.add(
                BookingAllocation(
                    id=new_id(),
                    booking_id=booking.id,
                    practitioner_id=practitioner_id,
                    resource_id=resource_id,
                    during=Range(_dt(a), _dt(b), bounds="[)"),
                )
            )


async def _flush_or_slot_unavailable(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise SlotUnavailable(
                "Someone has just taken this time. Pick another slot.", extra={"reason": "taken"}
            ) from exc
        raise


async def get_booking(session: AsyncSession, booking_id: UUID, *, lock: bool = False) -> Booking:
    booking = await repository.get_booking(session, booking_id, lock=lock)
    if booking is None:
        raise BookingNotFound()
    return booking


async def cancel_booking(
    session: AsyncSession,
    booking: Booking,
    actor: Actor,
    *,
    reason: str | None,
    requested_by_client: bool = False,
) -> Booking:
    """Cancel and free the time. A client may cancel until the start; inside the notice
    period the cancellation is marked late (the deposit is kept, see docs/deposits.md).
    Staff cancelling at the client's request apply the same policy; staff cancelling for the
    salon never make it late."""
    if booking.status not in policy.CHANGEABLE:
        raise BookingNotChangeable(f"A booking that is {booking.status} cannot be cancelled.")
    now = utcnow()
    if actor.kind in {"client", "link"} and booking.start_at <= now:
        raise TooLateToChange("This booking has already started.")
    rules = await availability.booking_rules(session)
    previous = booking.status
    by_client = actor.kind in {"client", "link"} or requested_by_client
    booking.late_cancellation = by_client and policy.is_late(
        start_at=booking.start_at, now=now, notice_hours=rules.cancellation_notice_hours
    )
    booking.status, booking.hold_expires_at = BookingStatus.cancelled, None
    booking.cancelled_at, booking.cancelled_by = now, actor.kind
    booking.cancellation_reason, booking.updated_at = reason, now
    await repository.release_allocations(session, booking.id)
    if booking.late_cancellation:
        outcome = coverage.Outcome.cancelled_late
    else:
        outcome = coverage.Outcome.cancelled_in_time if by_client else coverage.Outcome.released
    await _settle(session, booking, outcome)
    repository.add_event(
        session,
        booking,
        kind="cancelled",
        at=now,
        actor_user_id=actor.user_id,
        from_status=previous,
        note=reason,
    )
    await waitlist.offer_freed_slot(session, booking)
    await outbox.enqueue(
        session,
        TOPIC_CANCELLED,
        {
            "booking_id": booking.id,
            "client_id": booking.client_id,
            "cancelled_by": actor.kind,
            "by_client": by_client,
            "late": booking.late_cancellation,
            "previous_status": previous,
        },
    )
    return booking


async def reschedule_booking(
    session: AsyncSession,
    booking: Booking,
    actor: Actor,
    *,
    start: datetime,
    practitioner_id: UUID | None,
) -> Booking:
    """Move a booking, re-checking the new time like a new booking (its own old time counts
    as free). Clients cannot move a booking inside the notice period."""
    if booking.status not in policy.CHANGEABLE:
        raise BookingNotChangeable(f"A booking that is {booking.status} cannot be moved.")
    now = utcnow()
    if actor.kind in {"client", "link"}:
        rules = await availability.booking_rules(session)
        if policy.is_late(
            start_at=booking.start_at, now=now, notice_hours=rules.cancellation_notice_hours
        ):
            raise TooLateToChange("Call the salon to move a booking this close to its time.")
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    covered = {i.position: i.covered_by for i in items if i.covered_by}
    placed = await availability.place(
        session,
        service_ids=[i.service_id for i in items],
        start=start,
        practitioner_id=practitioner_id,
        online=actor.kind != "staff",
        home=booking.location == BookingLocation.home,
        exclude_booking_id=booking.id,
    )
    if isinstance(placed, availability.Refusal):
        raise slot_unavailable(placed)
    old_start = booking.start_at
    await repository.delete_allocations(session, booking.id)
    for item in items:
        await session.delete(item)
    await session.flush()
    booking.start_at = _dt(placed.candidate.start)
    booking.end_at = _dt(placed.candidate.end)
    booking.updated_at = now
    _add_items(session, booking, placed, covered)  # what was covered stays covered
    # A promo code's discount stays what it was when it was applied.
    booking.total_cents = max(
        _uncovered(placed.prices, covered) + booking.travel_fee_cents - booking.discount_cents,
        0,
    )
    booking.deposit_cents = min(booking.deposit_cents, booking.total_cents)
    repository.add_event(
        session,
        booking,
        kind="rescheduled",
        at=now,
        actor_user_id=actor.user_id,
        from_status=booking.status,
        note=f"from {old_start.isoformat()}",
    )
    await _flush_or_slot_unavailable(session)
    await outbox.enqueue(
        session, TOPIC_RESCHEDULED, {"booking_id": booking.id, "old_start": old_start}
    )
    return booking


async def _publish_completed(session: AsyncSession, booking: Booking, now: datetime) -> None:
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    done = [{"service_id": i.service_id, "practitioner_id": i.practitioner_id} for i in items]
    await outbox.enqueue(
        session,
        TOPIC_COMPLETED,
        {"booking_id": booking.id, "completed_at": now, "services": done},
    )


async def change_status(
    session: AsyncSession,
    booking: Booking,
    actor: Actor,
    *,
    target: BookingStatus,
    note: str | None,
) -> Booking:
    """Move a booking along its life (confirmed → checked in → completed, or no-show)."""
    current = BookingStatus(booking.status)
    if not policy.may_transition(current, target):
        raise TransitionNotAllowed(f"A booking that is {current} cannot become {target}.")
    now = utcnow()
    opens = timedelta(minutes=get_settings().salon.status_opens_minutes)
    if (
        target in {BookingStatus.checked_in, BookingStatus.no_show}
        and now < booking.start_at - opens
    ):
        raise TooEarlyForStatus(
            f"A booking can be marked {target} from {opens.seconds // 60} minutes before it.",
            extra={"opens_at": in_salon_zone(booking.start_at - opens)},
        )
    booking.status, booking.updated_at = target, now
    if current is BookingStatus.pending_payment:
        booking.hold_expires_at = None
    if target is BookingStatus.no_show:
        await repository.release_allocations(session, booking.id)
        await _settle(session, booking, coverage.Outcome.no_show)
    if target is BookingStatus.completed:
        await _settle(session, booking, coverage.Outcome.completed)
    if current is BookingStatus.pending_payment and target is BookingStatus.confirmed:
        await outbox.enqueue(session, TOPIC_CONFIRMED, {"booking_id": booking.id})
    if target is BookingStatus.completed:
        await _publish_completed(session, booking, now)
    repository.add_event(
        session,
        booking,
        kind="status",
        at=now,
        actor_user_id=actor.user_id,
        from_status=current,
        note=note,
    )
    return booking
