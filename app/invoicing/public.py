"""What other domains may use of invoicing: issuing the invoice of a completed sale, what
business clients still owe on invoices sold on account (the receivables report), the day a
payment on an invoice arrived, and the credit notes that lower such a debt (the books
follow them)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.invoicing import repository
from app.invoicing.errors import InvoiceAlreadyIssued, InvoiceSourceNotFound
from app.invoicing.receivables import Receivable, open_receivables
from app.invoicing.service import issue_invoice
from app.invoicing.topics import TOPIC_CREDIT_NOTE_ON_ACCOUNT, CreditedAmount, CreditNoteOnAccount

__all__ = [
    "TOPIC_CREDIT_NOTE_ON_ACCOUNT",
    "CreditNoteOnAccount",
    "CreditedAmount",
    "InvoiceAlreadyIssued",
    "InvoiceSourceNotFound",
    "Receivable",
    "invoice_number",
    "issue_invoice",
    "open_receivables",
    "received_on",
]


async def received_on(session: AsyncSession, payment_id: UUID) -> date | None:
    """The day the money of a payment on an invoice reached the salon (None: not one)."""
    found = await repository.settlement(session, payment_id)
    return None if found is None else found.received_on


async def invoice_number(session: AsyncSession, invoice_id: UUID) -> str:
    """The invoice's number (its id when it is unknown)."""
    found = await repository.get(session, invoice_id)
    return str(invoice_id) if found is None else found.number
