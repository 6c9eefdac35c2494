"""Purging a year, only after its complete archive: the year must be closed, its archive
must verify and be the one the JET recorded. The sales records the year closing covers are
deleted (the triggers are disabled for this one transaction, which only the tables' owner
can do); the closings after them, the year's among them, stay online with the cumulative
totals; a `purge` event records the range and the last signature, so verification accepts
exactly this gap and nothing else."""

from __future__ import annotations

import hashlib
from pathlib import Path

import anyio
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.journal import repository
from app.journal.archive import verify_archive
from app.journal.chain import lock_head, record_event
from app.journal.errors import PurgeRefused
from app.journal.models import JournalRecord
from app.journal.payloads import Chain, ClosingLevel, EventKind, Frozen

_TRIGGER = "journal_records_append_only"


class PurgeDone(Frozen):
    year: int
    first_sequence: int
    last_sequence: int
    deleted: int


async def _archived(session: AsyncSession, year: int, sha256: str) -> bool:
    query = select(JournalRecord.payload).where(
        JournalRecord.chain == Chain.jet, JournalRecord.kind == EventKind.archive
    )
    for payload in (await session.execute(query)).scalars():
        details = payload["details"]
        if details.get("year") == year and details.get("sha256") == sha256:
            return bool(details.get("complete"))
    return False


async def _range(session: AsyncSession, year: int, archive: Path) -> tuple[int, int]:
    """The sequences to purge, once every condition holds (PurgeRefused otherwise)."""
    closing = await repository.closing_of(session, ClosingLevel.year, str(year))
    if closing is None:
        raise PurgeRefused(f"the year {year} is not closed")
    check = await anyio.to_thread.run_sync(verify_archive, archive)
    if not (check.ok and check.complete and check.year == year):
        raise PurgeRefused(f"{archive.name} is not a complete, valid archive of {year}")
    digest = _sealed_digest(await anyio.Path(archive).read_bytes())
    if not await _archived(session, year, digest):
        raise PurgeRefused(f"the JET records no complete archive of {year} with this content")
    previous = await repository.closing_of(session, ClosingLevel.year, str(year - 1))
    first = previous.payload["last_sequence"] + 1 if previous is not None else 1
    return first, int(closing.payload["last_sequence"])


def _sealed_digest(raw: bytes) -> str:
    """The SHA-256 of what the seal covers (every line but the last), as the JET keeps it."""
    body = raw[: raw.rstrip(b"\n").rfind(b"\n") + 1]
    return hashlib.sha256(body).hexdigest()


async def purge_year(session: AsyncSession, year: int, archive: Path) -> PurgeDone:
    """Delete the year's archived sales records, keeping the closings after them online."""
    await lock_head(session, Chain.sales)
    first, last = await _range(session, year, archive)
    in_range = (
        JournalRecord.chain == Chain.sales,
        JournalRecord.sequence.between(first, last),
    )
    last_record = await session.scalar(
        select(JournalRecord.signature).where(
            JournalRecord.chain == Chain.sales, JournalRecord.sequence == last
        )
    )
    if last_record is None:
        raise PurgeRefused(f"the records of {year} are already purged")
    # Transactional DDL: the trigger is off for this transaction's delete only.
    await session.execute(text(f"ALTER TABLE journal_records DISABLE TRIGGER {_TRIGGER}"))
    result = await session.execute(delete(JournalRecord).where(*in_range))
    await session.execute(text(f"ALTER TABLE journal_records ENABLE TRIGGER {_TRIGGER}"))
    deleted = int(getattr(result, "rowcount", 0))
    details: dict[str, str | int | bool | None] = {
        "year": year,
        "chain": str(Chain.sales),
        "first_sequence": first,
        "last_sequence": last,
        "last_signature": last_record,
        "deleted": deleted,
    }
    await record_event(session, EventKind.purge, details)
    return PurgeDone(year=year, first_sequence=first, last_sequence=last, deleted=deleted)
