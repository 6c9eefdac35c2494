"""The salon's opening hours, closures, exceptional openings, blocks and booking rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import repository
from app.availability.errors import (
    BlockNotFound,
    BlockPractitionerNotFound,
    ClosureNotFound,
    SpecialOpeningNotFound,
)
from app.availability.models import Block, BookingRules, Closure, OpeningHours, SpecialOpening
from app.availability.schemas import BlockIn, BookingRulesIn, ClosureIn, SpecialOpeningIn
from app.bookings import public as bookings
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.timeutils import local_day_span, zone
from app.core.weekly import WeeklyInterval, check_no_overlap
from app.practitioners import public as practitioners


async def opening_hours(session: AsyncSession) -> list[WeeklyInterval]:
    return [
        WeeklyInterval(weekday=h.weekday, start=h.start_time, end=h.end_time)
        for h in await repository.list_opening_hours(session)
    ]


async def replace_opening_hours(
    session: AsyncSession, intervals: list[WeeklyInterval]
) -> list[WeeklyInterval]:
    """Replace the whole week; a day with no interval is a closed day."""
    ordered = check_no_overlap(intervals)
    await repository.delete_opening_hours(session)
    for interval in ordered:
        session.add(
            OpeningHours(weekday=interval.weekday, start_time=interval.start, end_time=interval.end)
        )
    return ordered


async def add_closure(
    session: AsyncSession, data: ClosureIn
) -> tuple[Closure, list[bookings.ConflictOut]]:
    """Close the salon on those days; live bookings then refuse it unless forced, and are
    answered for rebooking."""
    tz = zone()
    conflicts = await bookings.bookings_in_conflict(
        session,
        start=local_day_span(data.start_date, tz)[0],
        end=local_day_span(data.end_date, tz)[1],
    )
    bookings.refuse_unless_forced(conflicts, force=data.force, what="closure")
    closure = Closure(id=new_id(), created_at=utcnow(), **data.model_dump(exclude={"force"}))
    session.add(closure)
    return closure, conflicts


async def delete_closure(session: AsyncSession, closure_id: UUID) -> None:
    closure = await session.get(Closure, closure_id)
    if closure is None:
        raise ClosureNotFound()
    await session.delete(closure)


async def add_special_opening(
    session: AsyncSession, data: SpecialOpeningIn
) -> tuple[SpecialOpening, list[UUID]]:
    """Open the salon on that date; answers who works then by her weekly hours. A slot needs
    both the salon open and a practitioner's hours: nobody may work a Sunday opening yet."""
    opening = SpecialOpening(
        id=new_id(), on_date=data.date, start_time=data.start, end_time=data.end, reason=data.reason
    )
    session.add(opening)
    weekday = data.date.weekday()
    working = [
        p.id
        for p in await practitioners.load_practitioners(session)
        if any(
            day == weekday and start < data.end and end > data.start
            for day, start, end in p.weekly_hours
        )
    ]
    return opening, working


async def delete_special_opening(session: AsyncSession, opening_id: UUID) -> None:
    opening = await session.get(SpecialOpening, opening_id)
    if opening is None:
        raise SpecialOpeningNotFound()
    await session.delete(opening)


async def add_block(
    session: AsyncSession, data: BlockIn, *, created_by: UUID
) -> tuple[Block, list[bookings.ConflictOut]]:
    """Keep her time free; her live bookings then refuse it unless forced."""
    if not await practitioners.existing_practitioner_ids(session, {data.practitioner_id}):
        raise BlockPractitionerNotFound()
    conflicts = await bookings.bookings_in_conflict(
        session, start=data.start, end=data.end, practitioner_id=data.practitioner_id
    )
    bookings.refuse_unless_forced(conflicts, force=data.force, what="block")
    block = Block(
        id=new_id(),
        practitioner_id=data.practitioner_id,
        start_at=data.start,
        end_at=data.end,
        reason=data.reason,
        created_by_user_id=created_by,
        created_at=utcnow(),
    )
    session.add(block)
    return block, conflicts


async def get_block(session: AsyncSession, block_id: UUID) -> Block:
    block = await session.get(Block, block_id)
    if block is None:
        raise BlockNotFound()
    return block


async def list_blocks(
    session: AsyncSession, *, start: datetime, end: datetime, practitioner_id: UUID | None
) -> Sequence[Block]:
    ids = [practitioner_id] if practitioner_id else None
    return await repository.blocks_between(session, start, end, practitioner_ids=ids)


async def closures(session: AsyncSession, start: date, end: date) -> Sequence[Closure]:
    return await repository.closures_between(session, start, end)


async def update_rules(session: AsyncSession, data: BookingRulesIn) -> BookingRules:
    rules = await repository.get_booking_rules(session)
    for key, value in data.changes().items():
        setattr(rules, key, value)
    rules.updated_at = utcnow()
    return rules


async def special_openings(
    session: AsyncSession, start: date, end: date
) -> Sequence[SpecialOpening]:
    return await repository.special_openings_between(session, start, end)


async def booking_rules(session: AsyncSession) -> BookingRules:
    return await repository.get_booking_rules(session)
