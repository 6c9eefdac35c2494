"""Writing the books: an entry from a draft (mapped to the accountant's accounts, dated in the
salon's zone, put in the first open period, numbered without gaps per journal and fiscal
year, stored once per source event), the mapping itself, and locking periods and years."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import repository
from app.accounting.errors import (
    AccountNotFound,
    BooksNotUpToDate,
    PeriodLocked,
    PeriodNotFound,
    UnbalancedEntry,
)
from app.accounting.models import Account, Entry, EntryLine, FiscalYear, Period
from app.accounting.postings import Draft
from app.core import outbox
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.numbering import next_number
from app.core.timeutils import zone

# How far a locked period may push an entry forward before it is refused.
_MONTHS_AHEAD = 24


def series(journal: str, year: int) -> str:
    """The counter of a journal's entry numbers in a fiscal year (app/core/numbering.py)."""
    return f"accounting-{journal}-{year}"


async def post(session: AsyncSession, draft: Draft) -> Entry:
    """Store `draft` as an entry, once: the same source event answers the entry it wrote."""
    known = await repository.entry_by_source(session, draft.source_key)
    if known is not None:
        return known
    if not draft.balanced:
        raise UnbalancedEntry(f"{draft.source_key}: debits and credits differ.")
    mapped = await _accounts(session, {line.account_key for line in draft.lines})
    happened = draft.at.astimezone(zone()).date()
    period = await open_period(session, happened)
    dated = max(happened, period.start_date)
    label = draft.label
    if dated != happened:  # its own period is locked: the next open one takes it
        label = f"{label} (opération du {happened:%d/%m/%Y})"
    entry = Entry(
        id=new_id(),
        journal_code=draft.journal,
        fiscal_year=period.year,
        number=await next_number(session, series(draft.journal, period.year)),
        entry_date=dated,
        label=label[:200],
        document_ref=draft.document_ref[:60],
        document_date=happened,
        source_kind=draft.source_kind,
        source_key=draft.source_key,
        journal_record_id=draft.journal_record_id,
        payment_id=draft.payment_id,
        refund_id=draft.refund_id,
        gift_card_id=draft.gift_card_id,
        payout_id=draft.payout_id,
        created_at=utcnow(),
    )
    session.add(entry)
    for position, line in enumerate(draft.lines, start=1):
        account = mapped[line.account_key]
        text = line.label if dated == happened else label
        session.add(
            EntryLine(
                id=new_id(),
                entry_id=entry.id,
                position=position,
                account_key=account.key,
                account_number=account.number,
                account_label=account.label,
                label=text[:200],
                debit_cents=line.debit_cents,
                credit_cents=line.credit_cents,
                vat_base_cents=line.vat_base_cents,
                aux_number=line.aux.number if line.aux else None,
                aux_label=line.aux.label[:200] if line.aux else None,
            )
        )
    await session.flush()
    return entry


async def _accounts(session: AsyncSession, keys: set[str]) -> dict[str, Account]:
    found = await repository.accounts_by_key(session, keys)
    if missing := keys - set(found):
        raise AccountNotFound(f"No account is mapped for {sorted(missing)}.")
    return found


async def open_period(session: AsyncSession, day: date) -> Period:
    """The period of `day`, or the first open one after it when it is locked; read under a
    share lock, so a period being locked waits for the entries being written into it."""
    year, month = day.year, day.month
    for _ in range(_MONTHS_AHEAD):
        await repository.ensure_year(session, year)
        period = await repository.get_period(session, year, month, share=True)
        if period is not None and period.locked_at is None:
            return period
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise PeriodLocked(f"No open period within {_MONTHS_AHEAD} months of {day.isoformat()}.")


async def lock_period(
    session: AsyncSession, year: int, month: int, *, actor_user_id: UUID | None
) -> Period:
    """Lock a month: no entry is dated in it any more (a lock is for good)."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise PeriodNotFound()
    await repository.ensure_year(session, year)
    period = await repository.get_period(session, year, month, lock=True)
    if period is None:
        raise PeriodNotFound()
    if period.locked_at is None:
        period.locked_at, period.locked_by_user_id = utcnow(), actor_user_id
    await session.flush()
    return period


async def lock_year(
    session: AsyncSession, year: int, *, actor_user_id: UUID | None, exported: bool
) -> FiscalYear:
    """Lock a fiscal year and its twelve months (its FEC was exported). An export is refused
    while the books still have events to write (the worker has not handled them yet): the
    year would be locked with some of its entries still to come."""
    if exported and (behind := await outbox.pending_for(session, "accounting.")):
        raise BooksNotUpToDate(
            f"{behind} events are still to be booked: let the worker handle them, then export.",
            extra={"pending_events": behind},
        )
    await repository.ensure_year(session, year)
    fiscal = await repository.get_year(session, year, lock=True)
    if fiscal is None:  # just ensured
        raise PeriodNotFound()
    for month in range(1, 13):
        await lock_period(session, year, month, actor_user_id=actor_user_id)
    now = utcnow()
    fiscal.locked_at = fiscal.locked_at or now
    if exported:
        fiscal.exported_at = now
    await session.flush()
    return fiscal


async def periods(session: AsyncSession, year: int) -> list[Period]:
    await repository.ensure_year(session, year)
    return list(await repository.periods(session, year))


async def update_account(
    session: AsyncSession, key: str, *, number: str | None, label: str | None
) -> Account:
    """The accountant maps a role to another account; entries already written keep theirs."""
    account = await repository.get_account(session, key, lock=True)
    if account is None:
        raise AccountNotFound()
    if number is not None:
        account.number = number
    if label is not None:
        account.label = label
    account.updated_at = utcnow()
    await session.flush()
    return account


async def entry_lines(session: AsyncSession, entries: list[Entry]) -> dict[UUID, list[EntryLine]]:
    return await repository.lines_of(session, [entry.id for entry in entries])
