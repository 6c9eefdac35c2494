"""Every query on the journal's tables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic_core import from_json
from sqlalchemy import BigInteger, Date, Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.journal.models import Chain, JournalHead, JournalRecord
from app.journal.payloads import CLOSING_KINDS, SALE_KINDS, ClosingLevel

_SALES = [str(kind) for kind in SALE_KINDS]
_CLOSINGS = list(CLOSING_KINDS.values())


def local_date(zone_name: str) -> Any:
    return cast(func.timezone(zone_name, JournalRecord.recorded_at), Date)


async def last_closing(
    session: AsyncSession, level: ClosingLevel, *, through: date | None = None
) -> JournalRecord | None:
    """The latest closing of `level` (ending on or before `through` when given)."""
    query = select(JournalRecord).where(
        JournalRecord.chain == Chain.sales, JournalRecord.kind == CLOSING_KINDS[level]
    )
    if through is not None:
        query = query.where(JournalRecord.payload["last_date"].astext <= through.isoformat())
    query = query.order_by(JournalRecord.sequence.desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def open_dates(session: AsyncSession, after: int, zone_name: str) -> list[date]:
    """The local dates of the sales-chain records after sequence `after`, closings aside."""
    day = local_date(zone_name)
    query = (
        select(day)
        .where(
            JournalRecord.chain == Chain.sales,
            JournalRecord.sequence > after,
            JournalRecord.kind.not_in(_CLOSINGS),
        )
        .group_by(day)
        .order_by(day)
    )
    return list((await session.execute(query)).scalars())


async def last_sequence_before(session: AsyncSession, start: int, before: datetime) -> int:
    """The last sequence from `start` on of a record made before `before` (start - 1: none)."""
    query = select(func.max(JournalRecord.sequence)).where(
        JournalRecord.chain == Chain.sales,
        JournalRecord.sequence >= start,
        JournalRecord.recorded_at < before,
        JournalRecord.kind.not_in(_CLOSINGS),
    )
    found = (await session.execute(query)).scalar_one_or_none()
    return start - 1 if found is None else int(found)


async def sale_payloads(
    session: AsyncSession,
    chain: Chain,
    first: int,
    last: int | None = None,
    *,
    register_id: UUID | None = None,
) -> Sequence[dict[str, Any]]:
    """The payloads of the tickets, credit tickets and cancellations in a sequence range (of
    one till when `register_id` is given)."""
    query = select(JournalRecord.payload).where(
        JournalRecord.chain == chain,
        JournalRecord.kind.in_(_SALES),
        JournalRecord.sequence >= first,
    )
    if last is not None:
        query = query.where(JournalRecord.sequence <= last)
    if register_id is not None:
        query = query.where(JournalRecord.register_id == register_id)
    return list((await session.execute(query)).scalars())


async def perpetual_before(session: AsyncSession, sequence: int) -> int:
    """The sum of every sales total recorded before `sequence` (for an archive's start)."""
    total = func.sum(JournalRecord.payload["total_incl_vat_cents"].astext.cast(BigInteger))
    query = select(total).where(
        JournalRecord.chain == Chain.sales,
        JournalRecord.kind.in_(_SALES),
        JournalRecord.sequence < sequence,
    )
    return int((await session.execute(query)).scalar_one_or_none() or 0)


async def first_record_date(session: AsyncSession, zone_name: str) -> date | None:
    query = select(func.min(local_date(zone_name))).where(JournalRecord.chain == Chain.sales)
    found: date | None = (await session.execute(query)).scalar_one_or_none()
    return found


async def purged_ranges(session: AsyncSession) -> dict[int, tuple[int, str]]:
    """The sales ranges purged after their archive, from the JET's `purge` events."""
    query = select(JournalRecord.payload).where(
        JournalRecord.chain == Chain.jet, JournalRecord.kind == "purge"
    )
    ranges = {}
    for payload in (await session.execute(query)).scalars():
        details = payload["details"]
        ranges[details["first_sequence"]] = (details["last_sequence"], details["last_signature"])
    return ranges


async def last_event(session: AsyncSession, kind: str) -> JournalRecord | None:
    query = (
        select(JournalRecord)
        .where(JournalRecord.chain == Chain.jet, JournalRecord.kind == kind)
        .order_by(JournalRecord.sequence.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def heads(session: AsyncSession) -> dict[str, JournalHead]:
    rows = (await session.execute(select(JournalHead))).scalars()
    return {head.chain: head for head in rows}


async def last_record(session: AsyncSession, chain: Chain) -> JournalRecord | None:
    query = (
        select(JournalRecord)
        .where(JournalRecord.chain == chain)
        .order_by(JournalRecord.sequence.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def closing_of(
    session: AsyncSession, level: ClosingLevel, period: str
) -> JournalRecord | None:
    query = select(JournalRecord).where(
        JournalRecord.chain == Chain.sales,
        JournalRecord.kind == CLOSING_KINDS[level],
        JournalRecord.payload["period"].astext == period,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def last_sequence_of(session: AsyncSession, chain: Chain, before: datetime) -> int:
    query = select(func.max(JournalRecord.sequence)).where(
        JournalRecord.chain == chain, JournalRecord.recorded_at < before
    )
    return int((await session.execute(query)).scalar_one_or_none() or 0)


async def stream(
    session: AsyncSession, chain: Chain, *, sequences: tuple[int, int] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """A chain's records (every stored column) in sequence order, fetched in batches. The
    payload comes as text, parsed by pydantic-core's JSON reader (a verification's main cost
    is reading JSON)."""
    columns = [c for c in JournalRecord.__table__.c if c.name != "payload"]
    query = select(*columns, JournalRecord.payload.cast(Text).label("payload_json")).where(
        JournalRecord.chain == chain
    )
    if sequences is not None:
        query = query.where(JournalRecord.sequence.between(*sequences))
    query = query.order_by(JournalRecord.sequence).execution_options(yield_per=5000)
    result = await session.stream(query)
    async for batch in result.partitions():
        for row in batch:
            record = dict(row._mapping)
            record["payload"] = from_json(record.pop("payload_json"))
            yield record
