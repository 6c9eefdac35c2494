"""Every query on the invoicing tables; `scoped` is where a list starts (a client sees
only hers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ARRAY, BindParameter, Select, Uuid, any_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from app.invoicing.models import (
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceSettlement,
    OverdueReminder,
)


def scoped(*, client_id: UUID | None = None, kind: str | None = None) -> Select[Any]:
    query = select(Invoice)
    if client_id is not None:
        query = query.where(Invoice.client_id == client_id)
    if kind is not None:
        query = query.where(Invoice.kind == kind)
    return query


async def get(
    session: AsyncSession, invoice_id: UUID, *, client_id: UUID | None = None, lock: bool = False
) -> Invoice | None:
    query = select(Invoice).where(Invoice.id == invoice_id)
    if client_id is not None:
        query = query.where(Invoice.client_id == client_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def for_source(session: AsyncSession, source_kind: str, source_id: UUID) -> Invoice | None:
    query = select(Invoice).where(
        Invoice.kind == DocumentKind.invoice,
        Invoice.source_kind == source_kind,
        Invoice.source_id == source_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def lines_of(session: AsyncSession, invoice_id: UUID) -> list[InvoiceLine]:
    query = (
        select(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice_id)
        .order_by(InvoiceLine.position)
    )
    return list((await session.execute(query)).scalars())


async def credit_notes_of(session: AsyncSession, invoice_id: UUID) -> list[Invoice]:
    query = (
        select(Invoice)
        .where(Invoice.credited_invoice_id == invoice_id)
        .order_by(Invoice.issued_at, Invoice.id)
    )
    return list((await session.execute(query)).scalars())


async def credited_quantities(session: AsyncSession, line_ids: Sequence[UUID]) -> dict[UUID, int]:
    """How much of each invoice line credit notes already gave back."""
    query = (
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity))
        .where(InvoiceLine.credited_line_id.in_(line_ids))
        .group_by(InvoiceLine.credited_line_id)
    )
    return {row[0]: int(row[1]) for row in await session.execute(query) if row[0] is not None}


async def credited_amounts(
    session: AsyncSession, line_ids: Sequence[UUID]
) -> dict[UUID, tuple[int, int]]:
    """What credit notes gave back of each line so far: (amount VAT included, without)."""
    query = (
        select(
            InvoiceLine.credited_line_id,
            func.sum(InvoiceLine.total_incl_vat_cents),
            func.sum(InvoiceLine.total_excl_vat_cents),
        )
        .where(InvoiceLine.credited_line_id.in_(line_ids))
        .group_by(InvoiceLine.credited_line_id)
    )
    return {
        row[0]: (int(row[1]), int(row[2]))
        for row in await session.execute(query)
        if row[0] is not None
    }


async def of_client(session: AsyncSession, client_id: UUID) -> list[Invoice]:
    query = select(Invoice).where(Invoice.client_id == client_id).order_by(Invoice.issued_at)
    return list((await session.execute(query)).scalars())


def _uuid_array(ids: Sequence[UUID]) -> BindParameter[Any]:
    """The ids as one `uuid[]` parameter: a report's thousands of invoices in an `IN (...)`
    would be as many parameters, and the driver's work on them costs more than the query."""
    values: Any = list(ids)
    return bindparam("ids", values, type_=ARRAY(Uuid()))


async def settled_by_invoice(
    session: AsyncSession, invoice_ids: Sequence[UUID], *, through: date | None = None
) -> dict[UUID, int]:
    """What was paid on each invoice sold on account (received by `through`, when given)."""
    query = select(InvoiceSettlement.invoice_id, func.sum(InvoiceSettlement.amount_cents)).where(
        InvoiceSettlement.invoice_id == any_(_uuid_array(invoice_ids))
    )
    if through is not None:
        query = query.where(InvoiceSettlement.received_on <= through)
    rows = await session.execute(query.group_by(InvoiceSettlement.invoice_id))
    return {row[0]: int(row[1]) for row in rows}


async def credited_by_invoice(
    session: AsyncSession, invoice_ids: Sequence[UUID], *, before: datetime | None = None
) -> dict[UUID, int]:
    """What credit notes gave back of each invoice (issued before `before`, when given)."""
    query = select(Invoice.credited_invoice_id, func.sum(Invoice.total_incl_vat_cents)).where(
        Invoice.credited_invoice_id == any_(_uuid_array(invoice_ids))
    )
    if before is not None:
        query = query.where(Invoice.issued_at < before)
    rows = await session.execute(query.group_by(Invoice.credited_invoice_id))
    return {row[0]: int(row[1]) for row in rows if row[0] is not None}


async def on_account_issued(session: AsyncSession, *, before: datetime) -> list[Invoice]:
    """Every invoice sold on account issued before `before`, oldest first, with only what
    the receivables report reads of it (a report of thousands of invoices)."""
    query = (
        select(Invoice)
        .options(
            load_only(
                Invoice.kind,
                Invoice.number,
                Invoice.client_id,
                Invoice.buyer_company,
                Invoice.buyer_name,
                Invoice.issued_at,
                Invoice.due_date,
                Invoice.total_incl_vat_cents,
                Invoice.paid_cents,
                Invoice.on_account_cents,
                raiseload=True,
            )
        )
        .where(
            Invoice.kind == DocumentKind.invoice,
            Invoice.on_account_cents > 0,
            Invoice.issued_at < before,
        )
        .order_by(Invoice.issued_at, Invoice.id)
    )
    return list((await session.execute(query)).scalars())


async def settlement(session: AsyncSession, payment_id: UUID) -> InvoiceSettlement | None:
    return await session.get(InvoiceSettlement, payment_id)


async def overdue_to_remind(session: AsyncSession, *, today: date, limit: int) -> list[Invoice]:
    """Invoices sold on account past their due date and never reminded, locked; those
    another worker holds are skipped."""
    reminded = select(OverdueReminder.invoice_id).where(OverdueReminder.invoice_id == Invoice.id)
    query = (
        select(Invoice)
        .where(
            Invoice.kind == DocumentKind.invoice,
            Invoice.on_account_cents > 0,
            Invoice.due_date < today,
            ~reminded.exists(),
        )
        .order_by(Invoice.due_date, Invoice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def by_ids(session: AsyncSession, invoice_ids: Sequence[UUID]) -> list[Invoice]:
    if not invoice_ids:
        return []
    return list((await session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))).all())
