"""What the books' routes read: the mapping, the journals, entries with their lines."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import repository
from app.accounting.models import Entry, EntryLine
from app.accounting.schemas import (
    AccountOut,
    AccountsOut,
    EntryOut,
    JournalOut,
    JournalsOut,
    LedgerLineOut,
)
from app.core.pagination import Page, PageParams, paginate


async def accounts(session: AsyncSession) -> AccountsOut:
    found = await repository.accounts(session)
    return AccountsOut(accounts=[AccountOut.of(account) for account in found])


async def journals(session: AsyncSession) -> JournalsOut:
    found = await repository.journals(session)
    return JournalsOut(journals=[JournalOut.of(journal) for journal in found])


async def entries(
    session: AsyncSession,
    page: PageParams,
    *,
    journal: str | None,
    date_from: date | None,
    date_to: date | None,
) -> Page[EntryOut]:
    found: Page[Entry] = await paginate(
        session,
        repository.entries(journal=journal, date_from=date_from, date_to=date_to),
        order_by=(Entry.fiscal_year, Entry.journal_code, Entry.number),
        params=page,
        to_item=lambda entry: entry,
    )
    lines = await repository.lines_of(session, [entry.id for entry in found.items])
    return Page(
        items=[EntryOut.of(entry, lines[entry.id]) for entry in found.items],
        next_cursor=found.next_cursor,
    )


async def ledger(
    session: AsyncSession, page: PageParams, *, account_number: str, year: int
) -> Page[LedgerLineOut]:
    """The general ledger of one account: its lines of the year, by journal and number."""
    found: Page[EntryLine] = await paginate(
        session,
        repository.ledger_lines(account_number=account_number, year=year),
        order_by=(Entry.journal_code, Entry.number, EntryLine.position),
        params=page,
        to_item=lambda line: line,
    )
    entries = await repository.entries_by_id(session, {line.entry_id for line in found.items})
    return Page(
        items=[LedgerLineOut.of(line, entries[line.entry_id]) for line in found.items],
        next_cursor=found.next_cursor,
    )
