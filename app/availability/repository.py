"""Every query on the availability tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Select, cast, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.availability.models import (
    Block,
    BookingRules,
    Closure,
    OpeningHours,
    SpecialOpening,
)


async def get_booking_rules(session: AsyncSession) -> BookingRules:
    rules = await session.get(BookingRules, 1)
    if rules is None:  # the migration inserts the row; this only guards a hand-emptied table
        rules = BookingRules(id=1)
        session.add(rules)
        await session.flush()
        await session.refresh(rules)
    return rules


async def list_opening_hours(session: AsyncSession) -> Sequence[OpeningHours]:
    return (
        await session.scalars(
            select(OpeningHours).order_by(OpeningHours.weekday, OpeningHours.start_time)
        )
    ).all()


async def closures_between(session: AsyncSession, start: date, end: date) -> Sequence[Closure]:
    return (
        await session.scalars(
            select(Closure)
            .where(Closure.start_date <= end, Closure.end_date >= start)
            .order_by(Closure.start_date)
        )
    ).all()


async def special_openings_between(
    session: AsyncSession, start: date, end: date
) -> Sequence[SpecialOpening]:
    return (
        await session.scalars(
            select(SpecialOpening)
            .where(SpecialOpening.on_date >= start, SpecialOpening.on_date <= end)
            .order_by(SpecialOpening.on_date, SpecialOpening.start_time)
        )
    ).all()


async def blocks_between(
    session: AsyncSession,
    start_at: datetime,
    end_at: datetime,
    practitioner_ids: Sequence[UUID] | None = None,
) -> Sequence[Block]:
    statement = select(Block).where(Block.start_at < end_at, Block.end_at > start_at)
    if practitioner_ids is not None:
        statement = statement.where(Block.practitioner_id.in_(list(practitioner_ids)))
    return (await session.scalars(statement.order_by(Block.start_at))).all()


def block_statement(start_at: datetime, end_at: datetime) -> Select[str, UUID | None, int, int]:
    """Rows (holder kind, practitioner id, start, end) of the blocks touching the window,
    times as epoch seconds."""
    return select(
        literal("practitioner").label("kind"),
        Block.practitioner_id.label("holder_id"),
        cast(func.extract("epoch", Block.start_at), BigInteger).label("start"),
        cast(func.extract("epoch", Block.end_at), BigInteger).label("end"),
    ).where(Block.start_at < end_at, Block.end_at > start_at)


async def delete_opening_hours(session: AsyncSession) -> None:
    """The whole week goes (it is replaced as one)."""
    await session.execute(delete(OpeningHours))
