"""Use cases of invoicing that reach other domains: a business client's payment on an
invoice sold on account (taken through payments, subject ("invoice", id), so the day's
payments and the books see it), and the reminder of an invoice gone overdue (queued
through notifications)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import ValidationFailed
from app.core.money import euros
from app.core.timeutils import zone
from app.core.urls import site_url
from app.invoicing import receivables, repository
from app.invoicing.errors import AmountAboveOutstanding, InvoiceNotFound, NotAnInvoice, NotOnAccount
from app.invoicing.models import DocumentKind, Invoice, InvoiceSettlement, OverdueReminder
from app.invoicing.schemas import InvoicePaymentCreate
from app.notifications import public as notifications
from app.payments import public as payments

TEMPLATE_OVERDUE = "invoice_overdue"


@dataclass(frozen=True, slots=True)
class Settled:
    settlement: InvoiceSettlement
    standing: receivables.Standing


async def _on_account(session: AsyncSession, invoice_id: UUID) -> Invoice:
    invoice = await repository.get(session, invoice_id, lock=True)
    if invoice is None:
        raise InvoiceNotFound()
    if invoice.kind != DocumentKind.invoice:
        raise NotAnInvoice("A credit note is not paid.")
    if not invoice.on_account_cents:
        raise NotOnAccount()
    return invoice


def _received_on(invoice: Invoice, asked: date | None) -> date:
    today = receivables.today()
    received = asked or today
    issued = invoice.issued_at.astimezone(zone()).date()
    if not issued <= received <= today:
        raise ValidationFailed(
            "The money was received between the invoice's date and today.",
            extra={"received_on": received.isoformat(), "issued_on": issued.isoformat()},
        )
    return received


async def record_payment(
    session: AsyncSession, invoice_id: UUID, asked: InvoicePaymentCreate, actor: Principal
) -> Settled:
    """What the company paid on the invoice (locked: two payments at once take turns), never
    more than is still owed; a payment of the payments domain, with the day it arrived."""
    invoice = await _on_account(session, invoice_id)
    received = _received_on(invoice, asked.received_on)
    owed = (await receivables.standing(session, invoice)).outstanding_cents
    if asked.amount_cents > owed:
        raise AmountAboveOutstanding(
            f"{owed} cents are still owed on this invoice.", extra={"outstanding_cents": owed}
        )
    payment = await payments.take_in_person(
        session,
        subject=("invoice", invoice.id),
        method=payments.PaymentMethod(asked.method),
        amount_cents=asked.amount_cents,
        tip_cents=0,
        reader_id=None,
        note=asked.reference,
        staff_user_id=actor.user_id,
    )
    settlement = InvoiceSettlement(
        payment_id=payment.id,
        invoice_id=invoice.id,
        method=asked.method,
        amount_cents=asked.amount_cents,
        received_on=received,
        reference=asked.reference,
        created_at=utcnow(),
        created_by_user_id=actor.user_id,
    )
    session.add(settlement)
    await session.flush()
    return Settled(settlement, await receivables.standing(session, invoice))


async def remind_overdue(session: AsyncSession, *, limit: int = 200) -> int:
    """One French e-mail per invoice gone overdue with something still owed (its dedupe key
    and its reminder row make a second scan, or two at once, send nothing more)."""
    today = receivables.today()
    sent = 0
    for invoice in await repository.overdue_to_remind(session, today=today, limit=limit):
        standing = await receivables.standing(session, invoice, as_of=today)
        if standing.outstanding_cents <= 0:  # paid or credited: never reminded
            session.add(
                OverdueReminder(
                    invoice_id=invoice.id,
                    outstanding_cents=0,
                    message_id=None,
                    reminded_at=utcnow(),
                )
            )
            continue
        message_id = await _queue_reminder(session, invoice, standing)
        session.add(
            OverdueReminder(
                invoice_id=invoice.id,
                outstanding_cents=standing.outstanding_cents,
                message_id=message_id,
                reminded_at=utcnow(),
            )
        )
        sent += message_id is not None
    await session.flush()
    return sent


async def _queue_reminder(
    session: AsyncSession, invoice: Invoice, standing: receivables.Standing
) -> UUID | None:
    """The reminder's message id (None: no e-mail address for the client)."""
    email, first_name = invoice.buyer_email, ""
    if invoice.client_id is not None:
        client = await clients.get_client(session, invoice.client_id)
        email, first_name = client.email or email, client.first_name
    if email is None:
        return None
    settings = get_settings().invoicing
    local = invoice.issued_at.astimezone(zone())
    due = standing.due_on or receivables.today()
    message = await notifications.queue(
        session,
        template=TEMPLATE_OVERDUE,
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(invoice.client_id, first_name, email, None),
        context={
            "invoice": {
                "number": invoice.number,
                "date": f"{local:%d/%m/%Y}",
                "company": invoice.buyer_company or invoice.buyer_name,
                "total": euros(invoice.total_incl_vat_cents),
                "outstanding": euros(standing.outstanding_cents),
                "due_on": f"{due:%d/%m/%Y}",
                "late_penalty": settings.late_penalty,
                "indemnity": euros(settings.recovery_indemnity_cents),
                "url": site_url("compte", "factures", invoice.number),
            }
        },
        dedupe_key=f"invoice:{invoice.id}:overdue",
        meta={"invoice_id": str(invoice.id)},
    )
    return None if message is None else message.id
