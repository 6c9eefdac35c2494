"""Every query on the books' tables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, String, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting.models import (
    Account,
    ClientAccount,
    Entry,
    EntryLine,
    FiscalYear,
    Journal,
    Period,
    SourceKind,
)


async def accounts_by_key(session: AsyncSession, keys: set[str]) -> dict[str, Account]:
    rows = await session.scalars(select(Account).where(Account.key.in_(keys)))
    return {account.key: account for account in rows}


async def get_account(session: AsyncSession, key: str, *, lock: bool = False) -> Account | None:
    statement = select(Account).where(Account.key == key)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def accounts(session: AsyncSession) -> Sequence[Account]:
    return (await session.scalars(select(Account).order_by(Account.key))).all()


async def journals(session: AsyncSession) -> Sequence[Journal]:
    return (await session.scalars(select(Journal).order_by(Journal.code))).all()


async def entry_by_source(session: AsyncSession, source_key: str) -> Entry | None:
    return await session.scalar(select(Entry).where(Entry.source_key == source_key))


async def payments_with_vat(session: AsyncSession, payment_ids: set[UUID]) -> set[UUID]:
    """Those of `payment_ids` whose entry (of the money taken) collected VAT."""
    if not payment_ids:
        return set()
    found = await session.scalars(
        select(Entry.payment_id)
        .join(EntryLine, EntryLine.entry_id == Entry.id)
        .where(
            Entry.source_kind == SourceKind.payment,
            Entry.payment_id.in_(payment_ids),
            EntryLine.account_key.startswith("vat_", autoescape=True),
        )
        .distinct()
    )
    return {payment_id for payment_id in found if payment_id is not None}


def entries(*, journal: str | None, date_from: date | None, date_to: date | None) -> Select[Entry]:
    statement = select(Entry)
    if journal:
        statement = statement.where(Entry.journal_code == journal)
    if date_from:
        statement = statement.where(Entry.entry_date >= date_from)
    if date_to:
        statement = statement.where(Entry.entry_date <= date_to)
    return statement


async def lines_of(session: AsyncSession, entry_ids: list[UUID]) -> dict[UUID, list[EntryLine]]:
    found: dict[UUID, list[EntryLine]] = {entry_id: [] for entry_id in entry_ids}
    rows = await session.scalars(
        select(EntryLine)
        .where(EntryLine.entry_id.in_(entry_ids))
        .order_by(EntryLine.entry_id, EntryLine.position)
    )
    for line in rows:
        found[line.entry_id].append(line)
    return found


async def ensure_year(session: AsyncSession, year: int) -> None:
    """The fiscal year and its twelve months, created on first use."""
    await session.execute(
        insert(FiscalYear)
        .values(year=year, start_date=date(year, 1, 1), end_date=date(year, 12, 31))
        .on_conflict_do_nothing()
    )
    months = [
        {
            "year": year,
            "month": month,
            "start_date": date(year, month, 1),
            "end_date": month_end(year, month),
        }
        for month in range(1, 13)
    ]
    await session.execute(insert(Period).values(months).on_conflict_do_nothing())


def month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


async def get_period(
    session: AsyncSession, year: int, month: int, *, lock: bool = False, share: bool = False
) -> Period | None:
    statement = select(Period).where(Period.year == year, Period.month == month)
    if lock or share:
        statement = statement.with_for_update(read=share and not lock)
    return await session.scalar(statement)


async def periods(session: AsyncSession, year: int) -> Sequence[Period]:
    return (
        await session.scalars(select(Period).where(Period.year == year).order_by(Period.month))
    ).all()


async def get_year(session: AsyncSession, year: int, *, lock: bool = False) -> FiscalYear | None:
    statement = select(FiscalYear).where(FiscalYear.year == year)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def has_entries(
    session: AsyncSession, *, year: int | None = None, before: int | None = None
) -> bool:
    found = await session.scalar(select(Entry.id).where(Entry.fiscal_year < before).limit(1))
    return found is not None


async def balances_before(
    session: AsyncSession, year: int
) -> list[tuple[str, str, int, str | None, str | None]]:
    """(account number, its latest label, debit less credit, auxiliary account number and
    label) over every year before `year`: a client account's balance per client."""
    label = func.max(EntryLine.account_label)
    aux_label = func.coalesce(func.max(ClientAccount.label), func.max(EntryLine.aux_label))
    rows = await session.execute(
        select(
            EntryLine.account_number,
            label,
            func.sum(EntryLine.debit_cents - EntryLine.credit_cents),
            EntryLine.aux_number,
            aux_label,
        )
        .join(Entry, Entry.id == EntryLine.entry_id)
        .outerjoin(ClientAccount, ClientAccount.number == EntryLine.aux_number)
        .where(Entry.fiscal_year < year)
        .group_by(EntryLine.account_number, EntryLine.aux_number)
        .order_by(EntryLine.account_number, EntryLine.aux_number.nulls_first())
    )
    return [
        (number, str(name), int(balance), aux, None if aux is None else str(aux_name))
        for number, name, balance, aux, aux_name in rows
    ]


async def stream_lines(session: AsyncSession, year: int) -> AsyncIterator[Any]:
    """The year's entry lines with their entry, by journal and number, read through a
    server-side cursor in batches (never the whole year in memory)."""
    statement = (
        select(
            Entry.journal_code,
            Journal.label.label("journal_label"),
            Entry.number,
            Entry.entry_date,
            Entry.document_ref,
            Entry.document_date,
            Entry.created_at,
            EntryLine.account_number,
            EntryLine.account_label,
            EntryLine.label.label("line_label"),
            EntryLine.debit_cents,
            EntryLine.credit_cents,
            EntryLine.aux_number,
            func.coalesce(ClientAccount.label, EntryLine.aux_label).label("aux_label"),
        )
        .join(EntryLine, EntryLine.entry_id == Entry.id)
        .join(Journal, Journal.code == Entry.journal_code)
        .outerjoin(ClientAccount, ClientAccount.number == EntryLine.aux_number)
        .where(Entry.fiscal_year == year)
        .order_by(Entry.journal_code, Entry.number, EntryLine.position)
        .execution_options(yield_per=2000)
    )
    result = await session.stream(statement)
    async for row in result:
        yield row


async def sums_by_role(
    session: AsyncSession, date_from: date, date_to: date, keys: set[str]
) -> dict[str, tuple[int, int, list[str]]]:
    """Per account role, over the entries dated in the range: credit less debit, the VAT
    base credited less debited, and the entries behind it (`VE000001`…)."""
    number = Entry.journal_code + func.lpad(func.cast(Entry.number, String), 6, "0")
    rows = await session.execute(
        select(
            EntryLine.account_key,
            func.sum(EntryLine.credit_cents - EntryLine.debit_cents),
            func.coalesce(func.sum(-EntryLine.vat_base_cents), 0),
            func.array_agg(func.distinct(number)),
        )
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(
            Entry.entry_date >= date_from,
            Entry.entry_date <= date_to,
            EntryLine.account_key.in_(keys),
        )
        .group_by(EntryLine.account_key)
    )
    return {
        key: (int(amount), int(base or 0), sorted(entries)) for key, amount, base, entries in rows
    }


async def trial_balance(session: AsyncSession, year: int) -> list[tuple[str, str, int, int]]:
    """(account number, label, debits, credits) of the year's entries, by account."""
    rows = await session.execute(
        select(
            EntryLine.account_number,
            func.max(EntryLine.account_label),
            func.sum(EntryLine.debit_cents),
            func.sum(EntryLine.credit_cents),
        )
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(Entry.fiscal_year == year)
        .group_by(EntryLine.account_number)
        .order_by(EntryLine.account_number)
    )
    return [(n, str(label), int(d), int(c)) for n, label, d, c in rows]


async def labels_by_number(session: AsyncSession) -> dict[str, str]:
    """Each mapped account number's label today (the first role's, when two share one)."""
    rows = await session.execute(
        select(Account.number, Account.label).order_by(Account.number, Account.key)
    )
    labels: dict[str, str] = {}
    for number, label in rows:
        labels.setdefault(number, label)
    return labels


def ledger_lines(*, account_number: str, year: int) -> Select[EntryLine]:
    """One account's lines in a fiscal year (the general ledger), with their entries joined
    for the order."""
    return (
        select(EntryLine)
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(EntryLine.account_number == account_number, Entry.fiscal_year == year)
    )


async def entries_by_id(session: AsyncSession, ids: set[UUID]) -> dict[UUID, Entry]:
    found = await session.scalars(select(Entry).where(Entry.id.in_(ids)))
    return {entry.id: entry for entry in found}


async def client_account(session: AsyncSession, client_id: UUID) -> ClientAccount | None:
    return await session.get(ClientAccount, client_id)


async def add_client_account(session: AsyncSession, account: ClientAccount) -> None:
    """Insert it unless another transaction gave the client hers meanwhile."""
    values = {c.key: getattr(account, c.key) for c in ClientAccount.__table__.columns}
    await session.execute(
        insert(ClientAccount).values(values).on_conflict_do_nothing(index_elements=["client_id"])
    )


async def client_balance(session: AsyncSession, *, through: date) -> tuple[int, dict[str, int]]:
    """The receivables (role `clients`, 411) at the end of `through`: debit less credit in
    total and per auxiliary account."""
    rows = await session.execute(
        select(EntryLine.aux_number, func.sum(EntryLine.debit_cents - EntryLine.credit_cents))
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(EntryLine.account_key == "clients", Entry.entry_date <= through)
        .group_by(EntryLine.aux_number)
    )
    per_aux = {str(aux or ""): int(balance) for aux, balance in rows}
    return sum(per_aux.values()), per_aux


async def client_accounts(
    session: AsyncSession, client_ids: set[UUID]
) -> dict[UUID, ClientAccount]:
    if not client_ids:
        return {}
    rows = await session.scalars(
        select(ClientAccount).where(ClientAccount.client_id.in_(client_ids))
    )
    return {row.client_id: row for row in rows}


async def role_balance(session: AsyncSession, key: str, *, before: date) -> int:
    """Debits less credits of one role's lines in entries dated before `before`."""
    total = await session.scalar(
        select(func.coalesce(func.sum(EntryLine.debit_cents - EntryLine.credit_cents), 0))
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(EntryLine.account_key == key, Entry.entry_date < before)
    )
    return int(total or 0)


async def role_movements(
    session: AsyncSession, key: str, date_from: date, date_to: date
) -> dict[str, int]:
    """Per kind of source, debits less credits of one role's lines dated in the range."""
    rows = await session.execute(
        select(Entry.source_kind, func.sum(EntryLine.debit_cents - EntryLine.credit_cents))
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(
            EntryLine.account_key == key,
            Entry.entry_date >= date_from,
            Entry.entry_date <= date_to,
        )
        .group_by(Entry.source_kind)
    )
    return {kind: int(amount) for kind, amount in rows}


async def role_beside(
    session: AsyncSession, key: str, beside: str, kinds: set[str], date_from: date, date_to: date
) -> int:
    """Debits less credits on role `key` in the entries of `kinds` dated in the range that
    also move role `beside` (the fees a payout of that clearing account booked)."""
    touching = (
        select(EntryLine.entry_id).where(EntryLine.account_key == beside).distinct().subquery()
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(EntryLine.debit_cents - EntryLine.credit_cents), 0))
        .join(Entry, Entry.id == EntryLine.entry_id)
        .where(
            EntryLine.account_key == key,
            EntryLine.entry_id.in_(select(touching.c.entry_id)),
            Entry.source_kind.in_(kinds),
            Entry.entry_date >= date_from,
            Entry.entry_date <= date_to,
        )
    )
    return int(total or 0)


async def numbers_by_payout(session: AsyncSession, payout_ids: set[UUID]) -> dict[UUID, list[str]]:
    """The entries written for each payout (`BQ000001`…)."""
    found: dict[UUID, list[str]] = {payout_id: [] for payout_id in payout_ids}
    if not payout_ids:
        return found
    rows = await session.execute(
        select(Entry.payout_id, Entry.journal_code, Entry.number)
        .where(Entry.payout_id.in_(payout_ids))
        .order_by(Entry.fiscal_year, Entry.journal_code, Entry.number)
    )
    for payout_id, journal, number in rows:
        if payout_id is not None:
            found[payout_id].append(f"{journal}{number:06d}")
    return found
