"""Invoices inserted through the service's numbering, for lists and path ids (a real one is
issued from a completed order: tests/invoicing/helpers.py)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.invoicing.models import Category, DocumentKind, Invoice, InvoiceLine, SourceKind
from app.invoicing.service import take_number


async def insert_invoice(
    client_id: UUID | None = None, *, email: str | None = "helene@example.fr"
) -> UUID:
    """A 30 € facial invoiced (paid at the till), numbered in this year's series."""
    now = utcnow()
    async with unit_of_work() as session:
        numbered = await take_number(session, DocumentKind.invoice, now)
        invoice = Invoice(
            id=new_id(),
            kind=DocumentKind.invoice,
            number=numbered.number,
            series=numbered.series,
            sequence=numbered.sequence,
            issued_at=now,
            source_kind=SourceKind.ticket,
            source_id=new_id(),
            source_number="T2027-000001",
            client_id=client_id,
            buyer_name="Hélène Dupont",
            buyer_email=email,
            category=Category.services,
            total_excl_vat_cents=2500,
            total_vat_cents=500,
            total_incl_vat_cents=3000,
            paid_cents=3000,
            paid_at=now,
            payment_methods="Carte bancaire",
        )
        session.add(invoice)
        await session.flush()
        session.add(
            InvoiceLine(
                id=new_id(),
                invoice_id=invoice.id,
                position=1,
                kind="service",
                label="Soin visage",
                quantity=1,
                unit_price_incl_vat_cents=3000,
                unit_price_excl_vat_cents=2500,
                vat_rate=Decimal("20.00"),
                total_excl_vat_cents=2500,
                vat_cents=500,
                total_incl_vat_cents=3000,
            )
        )
    return invoice.id
