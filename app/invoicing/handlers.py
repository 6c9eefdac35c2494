"""A business client's ticket gets its invoice without being asked."""

from __future__ import annotations

import contextlib

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core import outbox
from app.invoicing import repository, service
from app.invoicing.errors import InvoiceAlreadyIssued
from app.invoicing.models import SourceKind
from app.sales import public as sales


@outbox.handles(sales.TOPIC_TICKET_ISSUED, name="invoicing.invoice_business_ticket")
async def on_ticket_issued(session: AsyncSession, payload: sales.TicketIssued) -> None:
    """Once per ticket: one already invoiced (on request, or a redelivery) is left alone."""
    if payload.kind != "ticket" or payload.client_id is None:
        return
    buyer = await clients.billing_details(session, payload.client_id)
    if not buyer.is_business:
        return
    if await repository.for_source(session, SourceKind.ticket, payload.journal_record_id):
        return
    with contextlib.suppress(InvoiceAlreadyIssued):  # asked for at the desk meanwhile
        await service.issue_invoice(
            session, source_kind=SourceKind.ticket, source_id=payload.journal_record_id
        )
