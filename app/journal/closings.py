"""Day (Z), month and year closings, computed from the journal's own records, signed and
chained in the sales chain; and the X report, an intermediate reading that is not stored.

A closing covers a range of sequences: a Z every sales record of its local date not yet
closed, a month the Z's of its days, a year its months. It stores the period's totals per
VAT rate and per tender, its grand total and the perpetual grand total of the till.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.timeutils import local_midnight, zone
from app.journal import repository
from app.journal.chain import RecordRef, append_locked, lock_head, record_event, ref_of
from app.journal.errors import PeriodAlreadyClosed
from app.journal.models import JournalRecord
from app.journal.payloads import (
    CLOSING_KINDS,
    Chain,
    ClosingLevel,
    ClosingPayload,
    EventKind,
    Frozen,
    PeriodTotals,
)
from app.journal.totals import add_up


class XReport(Frozen):
    """What a Z would say now: the records since the last Z. Not stored, not chained."""

    first_sequence: int
    last_sequence: int
    totals: PeriodTotals
    perpetual_total_cents: int
    at: datetime


def _period(level: ClosingLevel, first: date) -> tuple[str, date]:
    if level is ClosingLevel.day:
        return first.isoformat(), first
    if level is ClosingLevel.month:
        end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return first.strftime("%Y-%m"), end
    return str(first.year), first.replace(month=12, day=31)


async def _end_sequence(session: AsyncSession, level: ClosingLevel, start: int, last: date) -> int:
    if level is ClosingLevel.day:
        after = local_midnight(last + timedelta(days=1), zone())
        return await repository.last_sequence_before(session, start, after)
    below = ClosingLevel.day if level is ClosingLevel.month else ClosingLevel.month
    covered = await repository.last_closing(session, below, through=last)
    return start - 1 if covered is None else max(covered.payload["last_sequence"], start - 1)


async def _previous_if_open(
    session: AsyncSession, level: ClosingLevel, first: date, period: str
) -> JournalRecord | None:
    """The previous closing of `level`, once sure this period and its parent are still open."""
    previous = await repository.last_closing(session, level)
    if previous is not None and previous.payload["last_date"] >= first.isoformat():
        raise PeriodAlreadyClosed(f"the {level} {period} is closed, or a later one is")
    if level is not ClosingLevel.year:
        above = ClosingLevel.month if level is ClosingLevel.day else ClosingLevel.year
        outer = await repository.last_closing(session, above)
        if outer is not None and outer.payload["last_date"] >= first.isoformat():
            raise PeriodAlreadyClosed(f"the {level} {period} is in a closed {above}")
    return previous


async def close(
    session: AsyncSession, level: ClosingLevel, first: date, *, automatic: bool = False
) -> RecordRef:
    """Close the period of `level` starting on `first` (a date, the 1st, or 1 January),
    after the days (and for a year the months) still open in it."""
    head = await lock_head(session, Chain.sales)
    period, last = _period(level, first)
    if level is not ClosingLevel.day:
        await _close_open_days(session, last)
    if level is ClosingLevel.year:
        await _close_ended(session, ClosingLevel.month, last)
    previous = await _previous_if_open(session, level, first, period)
    start = previous.payload["last_sequence"] + 1 if previous is not None else 1
    end = await _end_sequence(session, level, start, last)
    totals = add_up(await repository.sale_payloads(session, Chain.sales, start, end))
    perpetual = previous.payload["perpetual_total_cents"] if previous is not None else 0
    payload = ClosingPayload(
        level=level,
        period=period,
        first_date=first,
        last_date=last,
        first_sequence=start,
        last_sequence=end,
        totals=totals,
        perpetual_total_cents=perpetual + totals.total_incl_vat_cents,
        closed_at=utcnow(),
        automatic=automatic,
    )
    record = append_locked(
        session, head, CLOSING_KINDS[level], payload.model_dump(mode="json"), None
    )
    await session.flush()
    await record_event(
        session, EventKind.closing, {"level": level, "period": period, "record": str(record.id)}
    )
    return ref_of(record)


async def _close_open_days(session: AsyncSession, through: date) -> list[RecordRef]:
    last_z = await repository.last_closing(session, ClosingLevel.day)
    after = last_z.payload["last_sequence"] if last_z is not None else 0
    made = []
    for day in await repository.open_dates(session, after, get_settings().salon.timezone):
        if day <= through:
            made.append(await close(session, ClosingLevel.day, day, automatic=True))
    return made


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


async def close_due(session: AsyncSession, *, now: datetime | None = None) -> list[RecordRef]:
    """Every closing due by now: the days left open (today too from JOURNAL_AUTO_CLOSE_HOUR),
    then the months and years that ended. What the beat task runs."""
    local = (now or utcnow()).astimezone(zone())
    through = local.date()
    if local.hour < get_settings().journal.auto_close_hour:
        through -= timedelta(days=1)
    made = await _close_open_days(session, through)
    made += await _close_ended(session, ClosingLevel.month, through)
    made += await _close_ended(session, ClosingLevel.year, through)
    return made


async def _close_ended(
    session: AsyncSession, level: ClosingLevel, through: date
) -> list[RecordRef]:
    below = ClosingLevel.day if level is ClosingLevel.month else ClosingLevel.month
    newest_below = await repository.last_closing(session, below, through=through)
    if newest_below is None:
        return []
    previous = await repository.last_closing(session, level)
    start = (
        date.fromisoformat(previous.payload["last_date"]) + timedelta(days=1)
        if previous is not None
        else await _first_date(session)
    )
    starts = _months_between(start, through)
    if level is ClosingLevel.year:
        starts = sorted({month.replace(month=1) for month in starts})
    made = []
    for first in starts:
        if _period(level, first)[1] <= through:
            made.append(await close(session, level, first, automatic=True))
    return made


async def _first_date(session: AsyncSession) -> date:
    first = await repository.first_record_date(session, get_settings().salon.timezone)
    return first or utcnow().astimezone(zone()).date()


async def x_report(session: AsyncSession, *, register_id: UUID | None = None) -> XReport:
    """The totals since the last Z, now; of one till's records when `register_id` is given
    (its perpetual total is then still the whole journal's)."""
    last_z = await repository.last_closing(session, ClosingLevel.day)
    start = last_z.payload["last_sequence"] + 1 if last_z is not None else 1
    perpetual = last_z.payload["perpetual_total_cents"] if last_z is not None else 0
    totals = add_up(await repository.sale_payloads(session, Chain.sales, start))
    perpetual += totals.total_incl_vat_cents
    if register_id is not None:
        till = await repository.sale_payloads(session, Chain.sales, start, register_id=register_id)
        totals = add_up(till)
    head = (await repository.heads(session)).get(Chain.sales)
    return XReport(
        first_sequence=start,
        last_sequence=head.sequence if head is not None else 0,
        totals=totals,
        perpetual_total_cents=perpetual,
        at=utcnow(),
    )


def closing_of(payload: dict[str, Any]) -> ClosingPayload:
    return ClosingPayload.model_validate(payload)
