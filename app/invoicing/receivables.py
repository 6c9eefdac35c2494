"""What a business client still owes on an invoice sold on account: what was left owed when
it was issued, less what the company paid since (`invoice_settlements`, each a payment of
the payments domain) and the credit notes that cancel part of it. Read at any date, so the
receivables report of a past day ties to the 411 ledger of that day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.timeutils import zone
from app.invoicing import repository
from app.invoicing.models import DocumentKind, Invoice


class Status(StrEnum):
    paid = "paid"  # nothing is owed (paid at the desk, paid later, or credited)
    partly_paid = "partly_paid"
    unpaid = "unpaid"
    overdue = "overdue"  # something is owed after the due date


@dataclass(frozen=True, slots=True)
class Standing:
    due_on: date | None
    paid_cents: int  # at the desk when issued, and on the invoice since
    credited_cents: int
    outstanding_cents: int
    status: Status | None  # None for a credit note
    days_overdue: int = 0


def today() -> date:
    return utcnow().astimezone(zone()).date()


def end_of(day: date) -> datetime:
    """The first instant after `day` in the salon's zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone())


def _standing(invoice: Invoice, settled: int, credited: int, as_of: date) -> Standing:
    if invoice.kind != DocumentKind.invoice:
        return Standing(None, invoice.paid_cents, 0, 0, None)
    if not invoice.on_account_cents:
        return Standing(None, invoice.paid_cents, credited, 0, Status.paid)
    outstanding = max(invoice.on_account_cents - settled - credited, 0)
    late = (as_of - invoice.due_date).days if invoice.due_date else 0
    if outstanding == 0:
        status = Status.paid
    elif late > 0:
        status = Status.overdue
    elif settled or credited:
        status = Status.partly_paid
    else:
        status = Status.unpaid
    return Standing(
        invoice.due_date,
        invoice.paid_cents + settled,
        credited,
        outstanding,
        status,
        max(late, 0) if outstanding else 0,
    )


async def standings(
    session: AsyncSession, invoices: Sequence[Invoice], *, as_of: date | None = None
) -> dict[UUID, Standing]:
    """Each invoice's standing at the end of `as_of` (today by default), in three queries."""
    day = as_of or today()
    ids = [i.id for i in invoices if i.kind == DocumentKind.invoice and i.on_account_cents]
    settled = await repository.settled_by_invoice(session, ids, through=day) if ids else {}
    credited = await repository.credited_by_invoice(session, ids, before=end_of(day)) if ids else {}
    return {i.id: _standing(i, settled.get(i.id, 0), credited.get(i.id, 0), day) for i in invoices}


async def standing(
    session: AsyncSession, invoice: Invoice, *, as_of: date | None = None
) -> Standing:
    return (await standings(session, [invoice], as_of=as_of))[invoice.id]


@dataclass(frozen=True, slots=True)
class Receivable:
    """An invoice with something still owed at a date, for the receivables report."""

    invoice_id: UUID
    number: str
    client_id: UUID | None
    company: str
    issued_on: date
    due_on: date
    total_cents: int
    paid_cents: int
    credited_cents: int
    outstanding_cents: int
    days_overdue: int


async def open_receivables(session: AsyncSession, as_of: date) -> list[Receivable]:
    """Every invoice sold on account issued by `as_of` with something still owed that day."""
    invoices = await repository.on_account_issued(session, before=end_of(as_of))
    found = await standings(session, invoices, as_of=as_of)
    return [
        Receivable(
            invoice_id=i.id,
            number=i.number,
            client_id=i.client_id,
            company=i.buyer_company or i.buyer_name,
            issued_on=i.issued_at.astimezone(zone()).date(),
            due_on=i.due_date or as_of,
            total_cents=i.total_incl_vat_cents,
            paid_cents=found[i.id].paid_cents,
            credited_cents=found[i.id].credited_cents,
            outstanding_cents=found[i.id].outstanding_cents,
            days_overdue=found[i.id].days_overdue,
        )
        for i in invoices
        if found[i.id].outstanding_cents > 0
    ]
