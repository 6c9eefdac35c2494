"""An invoice sold on account as something paid for (`app/core/payables.py`, kind
"invoice"): what is due is what the business client still owes once its credit notes are
counted; payments (bank transfer, cash) lower it. A payment recorded on an invoice is not
refunded (the books would owe the client twice): a credit note corrects the invoice."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import payables
from app.core.payables import Due, Stage, Taken, Verdict
from app.invoicing import repository
from app.invoicing.errors import InvoiceNotFound, InvoicePaymentFinal, NotOnAccount
from app.invoicing.models import DocumentKind


@payables.payable("invoice")
class InvoicePayable(payables.Payable):
    not_payable = NotOnAccount

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        invoice = await repository.get(session, subject_id, lock=lock)
        if invoice is None or invoice.kind != DocumentKind.invoice:
            raise InvoiceNotFound()
        credited = await repository.credited_by_invoice(session, [invoice.id])
        on_account = invoice.on_account_cents
        return Due(
            client_id=invoice.client_id,
            total_cents=max(on_account - credited.get(invoice.id, 0), 0),
            stage=Stage.open if on_account else Stage.closed,
            status="on_account" if on_account else "paid",
            description=f"Facture {invoice.number}",
        )

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        return Verdict.keep()

    async def refundable(
        self, session: AsyncSession, subject_id: UUID, asked_cents: int | None
    ) -> int | None:
        raise InvoicePaymentFinal()
