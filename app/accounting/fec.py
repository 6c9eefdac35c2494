"""The FEC (fichier des écritures comptables, LPF A47 A-1) of a fiscal year: one flat file,
`{SIREN}FEC{closing date}.txt`, the 18 fields in order on its first line, TAB-separated,
dates YYYYMMDD, amounts with a decimal comma and no thousands separator, ISO 8859-15, the
opening balances (journal AN) first, then every entry by journal and number. Streamed row by
row from a server-side cursor: a busy salon's year is never held in memory."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import chart, repository
from app.accounting.models import JournalCode
from app.accounting.schemas import entry_number
from app.core.config import get_settings
from app.core.db import read_only
from app.core.money import decimal_comma
from app.core.timeutils import zone

FIELDS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
SEPARATOR = "\t"
NEWLINE = "\r\n"
ENCODING = "iso8859_15"
_BREAKS = re.compile(r"[\t\r\n|\x00-\x1f]+")
# Balance-sheet accounts (classes 1 to 5) carry over; the result of classes 6 and 7 goes
# to 120 (profit) or 129 (loss).
_CARRIED = ("1", "2", "3", "4", "5")


def file_name(year: int) -> str:
    """`{SIREN}FEC{YYYYMMDD}.txt`, the date being the year's closing."""
    return f"{get_settings().accounting.siren}FEC{year}1231.txt"


def clean(text: str) -> str:
    """No tab, line break or separator inside a field."""
    if text.isprintable() and "|" not in text:
        return text.strip()
    return _BREAKS.sub(" ", text).strip()


def day(value: date) -> str:
    return value.strftime("%Y%m%d")


def row(fields: Iterable[str]) -> bytes:
    text = SEPARATOR.join(clean(field) for field in fields) + NEWLINE
    return text.encode(ENCODING, errors="replace")


def _amounts(debit: int, credit: int) -> tuple[str, str]:
    return decimal_comma(debit), decimal_comma(credit)


async def _opening(session: AsyncSession, year: int) -> AsyncIterator[bytes]:
    """The à-nouveaux: one entry on the year's first day carrying every balance-sheet
    account's balance, and the earlier years' result."""
    if not await repository.has_entries(session, before=year):
        return
    mapped = await repository.accounts_by_key(session, {chart.RESULT_PROFIT, chart.RESULT_LOSS})
    first = date(year, 1, 1)
    lines: list[tuple[str, str, int, str, str]] = []
    result = 0
    labels = await repository.labels_by_number(session)
    for number, label_then, balance, aux, aux_label in await repository.balances_before(
        session, year
    ):
        label = labels.get(number, label_then)
        if number.startswith(_CARRIED):
            if balance:
                lines.append((number, label, balance, aux or "", aux_label or ""))
        else:
            result += balance  # classes 6 and 7: debit less credit, so negative is a profit
    if result:
        account = mapped[chart.RESULT_PROFIT if result < 0 else chart.RESULT_LOSS]
        lines.append((account.number, account.label, result, "", ""))
    for number, label, balance, aux, aux_label in lines:
        debit, credit = _amounts(max(balance, 0), max(-balance, 0))
        yield row(
            (
                JournalCode.opening,
                "À-nouveaux",
                entry_number(JournalCode.opening, 1),
                day(first),
                number,
                label,
                aux,
                aux_label,
                f"AN{year}",
                day(first),
                "À-nouveaux",
                debit,
                credit,
                "",
                "",
                day(first),
                "",
                "",
            )
        )


def _entry_row(line: Any, labels: dict[str, str]) -> bytes:
    debit, credit = _amounts(line.debit_cents, line.credit_cents)
    return row(
        (
            line.journal_code,
            line.journal_label,
            entry_number(line.journal_code, line.number),
            day(line.entry_date),
            line.account_number,
            labels.get(line.account_number, line.account_label),
            line.aux_number or "",
            line.aux_label or "",
            line.document_ref,
            day(line.document_date),
            line.line_label,
            debit,
            credit,
            "",
            "",
            day(line.created_at.astimezone(zone()).date()),
            "",
            "",
        )
    )


async def rows(session: AsyncSession, year: int) -> AsyncIterator[bytes]:
    """The file's bytes, line by line."""
    yield row(FIELDS)
    async for opening in _opening(session, year):
        yield opening
    # One label per account number in the whole file, today's (an account renamed during
    # the year would otherwise show two, which the accountants' tools refuse).
    labels = await repository.labels_by_number(session)
    async for line in repository.stream_lines(session, year):
        yield _entry_row(line, labels)


async def stream(year: int, *, lines_per_chunk: int = 500) -> AsyncIterator[bytes]:
    """The FEC in chunks of a few hundred lines, read in its own read-only transaction (an
    HTTP response streams after the request's session has closed), on DATABASE_READ_URL when
    set: the year was locked before, so its entries no longer change."""
    async with read_only() as session:
        batch: list[bytes] = []
        async for line in rows(session, year):
            batch.append(line)
            if len(batch) >= lines_per_chunk:
                yield b"".join(batch)
                batch.clear()
        if batch:
            yield b"".join(batch)
