"""Every query on the bookings tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Range, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.models import (
    Booking,
    BookingAllocation,
    BookingEvent,
    BookingItem,
    BookingStatus,
    CalendarFeedToken,
    WaitlistEntry,
    WaitlistStatus,
)


def _live_at(now: datetime) -> ColumnElement[bool]:
    """Allocations that still hold time: live, and not an expired hold."""
    # The bare column (not `IS true`) so the planner matches the exclusion indexes' predicate.
    return and_(
        BookingAllocation.live,
        or_(
            Booking.status != BookingStatus.pending_payment,
            Booking.hold_expires_at > now,
        ),
    )


def epoch(column: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.extract("epoch", column), BigInteger)


def busy_statements(
    *, start: datetime, end: datetime, now: datetime, exclude_booking_id: UUID | None = None
) -> list[Select[str, UUID | None, int, int]]:
    """Rows (holder kind, holder id, start, end) for every allocation holding time in
    [start, end), times as epoch seconds (PostgreSQL does the conversion: parsing hundreds of
    timestamps is the slow part of a search in Python). Each half repeats the predicate of its
    exclusion constraint's GiST index, so the lookup stays an index scan as years of bookings
    pile up."""
    window = Range(start, end, bounds="[)")
    parts = []
    for kind, column in (
        ("practitioner", BookingAllocation.practitioner_id),
        ("resource", BookingAllocation.resource_id),
    ):
        part = (
            select(
                literal(kind).label("kind"),
                column.label("holder_id"),
                epoch(func.lower(BookingAllocation.during)).label("start"),
                epoch(func.upper(BookingAllocation.during)).label("end"),
            )
            .join(Booking, Booking.id == BookingAllocation.booking_id)
            .where(_live_at(now), column.is_not(None), BookingAllocation.during.overlaps(window))
        )
        if exclude_booking_id is not None:
            part = part.where(BookingAllocation.booking_id != exclude_booking_id)
        parts.append(part)
    return parts


def next_hold_expiry_statement(
    *, start: datetime, end: datetime, now: datetime
) -> Select[str, UUID | None, int, int]:
    """One row shaped like the busy rows: when the first hold still running in [start, end)
    expires (epoch seconds, NULL when none), so that a cached search dies with it."""
    return select(
        literal("hold_expiry").label("kind"),
        literal(None, Booking.id.type).label("holder_id"),
        epoch(func.min(Booking.hold_expires_at)).label("start"),
        literal(0, BigInteger).label("end"),
    ).where(
        Booking.status == BookingStatus.pending_payment,
        Booking.hold_expires_at > now,
        # A day each side: its allocation's buffers may reach into the window.
        Booking.start_at < end + timedelta(days=1),
        Booking.end_at > start - timedelta(days=1),
    )


async def get_booking(
    session: AsyncSession, booking_id: UUID, *, lock: bool = False
) -> Booking | None:
    statement = select(Booking).where(Booking.id == booking_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def upcoming_of_client(
    session: AsyncSession, client_id: UUID, *, now: datetime, statuses: frozenset[str]
) -> list[Booking]:
    """A client's bookings in these statuses that have not started, locked, soonest first."""
    return list(
        await session.scalars(
            select(Booking)
            .where(
                Booking.client_id == client_id,
                Booking.status.in_(statuses),
                Booking.start_at > now,
            )
            .order_by(Booking.start_at, Booking.id)
            .with_for_update()
        )
    )


async def items_of(
    session: AsyncSession, booking_ids: Sequence[UUID]
) -> dict[UUID, list[BookingItem]]:
    items: dict[UUID, list[BookingItem]] = {booking_id: [] for booking_id in booking_ids}
    if not booking_ids:
        return items
    for item in await session.scalars(
        select(BookingItem)
        .where(BookingItem.booking_id.in_(booking_ids))
        .order_by(BookingItem.booking_id, BookingItem.position)
    ):
        items[item.booking_id].append(item)
    return items


async def release_allocations(session: AsyncSession, booking_id: UUID) -> None:
    await session.execute(
        update(BookingAllocation)
        .where(BookingAllocation.booking_id == booking_id, BookingAllocation.live.is_(True))
        .values(live=False)
    )


async def delete_allocations(session: AsyncSession, booking_id: UUID) -> None:
    await session.execute(
        delete(BookingAllocation).where(BookingAllocation.booking_id == booking_id)
    )


async def expired_holds(
    session: AsyncSession, now: datetime, limit: int = 100
) -> Sequence[Booking]:
    """Holds past their expiry, locked, skipping those another worker is handling."""
    return (
        await session.scalars(
            select(Booking)
            .where(Booking.status == BookingStatus.pending_payment, Booking.hold_expires_at <= now)
            .order_by(Booking.hold_expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def expired_holds_overlapping(
    session: AsyncSession, *, now: datetime, start: datetime, end: datetime
) -> Sequence[Booking]:
    """Expired holds whose allocations overlap [start, end): released before a new booking
    takes their time, so the exclusion constraint sees only live bookings."""
    ids = select(BookingAllocation.booking_id).where(
        BookingAllocation.live,
        BookingAllocation.during.overlaps(Range(start, end, bounds="[)")),
    )
    return (
        await session.scalars(
            select(Booking)
            .where(
                Booking.id.in_(ids),
                Booking.status == BookingStatus.pending_payment,
                Booking.hold_expires_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()


def bookings_query(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Sequence[str] | None = None,
    client_id: UUID | None = None,
    practitioner_id: UUID | None = None,
) -> Select[Booking]:
    statement = select(Booking)
    if start is not None:
        statement = statement.where(Booking.end_at > start)
    if end is not None:
        statement = statement.where(Booking.start_at < end)
    if statuses:
        statement = statement.where(Booking.status.in_(list(statuses)))
    if client_id is not None:
        statement = statement.where(Booking.client_id == client_id)
    if practitioner_id is not None:
        statement = statement.where(
            Booking.id.in_(
                select(BookingItem.booking_id).where(BookingItem.practitioner_id == practitioner_id)
            )
        )
    return statement


def add_event(
    session: AsyncSession,
    booking: Booking,
    *,
    kind: str,
    at: datetime,
    actor_user_id: UUID | None,
    from_status: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        BookingEvent(
            booking_id=booking.id,
            at=at,
            kind=kind,
            from_status=from_status,
            to_status=booking.status,
            actor_user_id=actor_user_id,
            note=note,
        )
    )


async def waiting_entries(
    session: AsyncSession, *, on_date: datetime, limit: int
) -> Sequence[WaitlistEntry]:
    day = on_date.date()
    return (
        await session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.status == WaitlistStatus.waiting,
                WaitlistEntry.date_from <= day,
                WaitlistEntry.date_to >= day,
            )
            .order_by(WaitlistEntry.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


# --- calendar feed tokens ----------------------------------------------------------------


async def upsert_feed_token(
    session: AsyncSession, practitioner_id: UUID, *, token_hash: str, issued_at: datetime
) -> None:
    """Her one token row, replaced (and live again) on rotation."""
    values = {"token_hash": token_hash, "issued_at": issued_at, "revoked_at": None}
    await session.execute(
        insert(CalendarFeedToken)
        .values(practitioner_id=practitioner_id, **values)
        .on_conflict_do_update(index_elements=[CalendarFeedToken.practitioner_id], set_=values)
    )


async def revoke_feed_token(session: AsyncSession, practitioner_id: UUID, *, at: datetime) -> None:
    """End her token if it was issued before `at` (one issued since is a new decision)."""
    await session.execute(
        update(CalendarFeedToken)
        .where(
            CalendarFeedToken.practitioner_id == practitioner_id,
            CalendarFeedToken.revoked_at.is_(None),
            CalendarFeedToken.issued_at <= at,
        )
        .values(revoked_at=at)
    )
