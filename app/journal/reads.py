"""Reading the journal for the other domains: a record as it was signed, the records of a
till since a sequence, the duplicates of a ticket, the closings one page at a time. Nothing
here writes; what comes out is a DTO, never the ORM row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import Page, PageParams, paginate
from app.journal.models import Chain, JournalRecord
from app.journal.payloads import CLOSING_KINDS, SALE_KINDS, ClosingLevel, Frozen, RecordKind


class StoredRecord(Frozen):
    """A record's stored values (its payload as the stored JSON that was signed)."""

    id: UUID
    chain: Chain
    sequence: int
    kind: str
    register_id: UUID | None
    recorded_at: datetime
    payload: dict[str, Any]
    signature: str


def stored(record: JournalRecord) -> StoredRecord:
    return StoredRecord(
        id=record.id,
        chain=Chain(record.chain),
        sequence=record.sequence,
        kind=record.kind,
        register_id=record.register_id,
        recorded_at=record.recorded_at,
        payload=record.payload,
        signature=record.signature,
    )


async def get_record(session: AsyncSession, record_id: UUID) -> StoredRecord | None:
    """A sales or training record by id (never a technical event)."""
    record = await session.get(JournalRecord, record_id)
    if record is None or record.chain == Chain.jet:
        return None
    return stored(record)


async def register_records(
    session: AsyncSession,
    register_id: UUID,
    *,
    after_sequence: int,
    kinds: Sequence[str],
    training: bool = False,
) -> list[StoredRecord]:
    """The records of one till after `after_sequence`, of these kinds, in order."""
    query = (
        select(JournalRecord)
        .where(
            JournalRecord.chain == (Chain.training if training else Chain.sales),
            JournalRecord.register_id == register_id,
            JournalRecord.sequence > after_sequence,
            JournalRecord.kind.in_([str(kind) for kind in kinds]),
        )
        .order_by(JournalRecord.sequence)
    )
    return [stored(record) for record in (await session.execute(query)).scalars()]


async def duplicate_count(session: AsyncSession, chain: Chain, ticket_number: str) -> int:
    """How many duplicates of this ticket the chain holds."""
    query = select(func.count()).where(
        JournalRecord.chain == chain,
        JournalRecord.kind == RecordKind.duplicate,
        JournalRecord.payload["ticket_number"].astext == ticket_number,
    )
    return int((await session.execute(query)).scalar_one())


async def closings_page(
    session: AsyncSession, page: PageParams, *, level: ClosingLevel | None = None
) -> Page[StoredRecord]:
    """The closings (Z, month, year), newest first."""
    kinds = [CLOSING_KINDS[level]] if level is not None else list(CLOSING_KINDS.values())
    query = select(JournalRecord).where(
        JournalRecord.chain == Chain.sales, JournalRecord.kind.in_(kinds)
    )
    return await paginate(
        session,
        query,
        order_by=(JournalRecord.sequence,),
        params=page,
        descending=True,
        to_item=stored,
    )


async def sale_records(session: AsyncSession, start: datetime, end: datetime) -> list[StoredRecord]:
    """The sales chain's tickets, credit tickets and cancellations recorded in [start, end),
    in sequence order; never a training record. Recorded, not issued: the instant a Z reads."""
    query = (
        select(JournalRecord)
        .where(
            JournalRecord.chain == Chain.sales,
            JournalRecord.kind.in_([str(kind) for kind in SALE_KINDS]),
            JournalRecord.recorded_at >= start,
            JournalRecord.recorded_at < end,
        )
        .order_by(JournalRecord.sequence)
    )
    return [stored(record) for record in (await session.execute(query)).scalars()]
