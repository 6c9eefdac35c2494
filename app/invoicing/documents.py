"""An invoice as the API shows it, as its Factur-X PDF, and e-mailed with that PDF."""

from __future__ import annotations

from decimal import Decimal

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.money import euros
from app.core.pagination import Page
from app.core.timeutils import zone
from app.invoicing import mentions, receivables, repository
from app.invoicing.errors import NoEmailAddress
from app.invoicing.facturx import cii_xml, facturx_pdf
from app.invoicing.models import Invoice
from app.invoicing.pdf import render_invoice
from app.invoicing.schemas import (
    Buyer,
    DocumentRef,
    InvoiceEmailed,
    InvoiceLineOut,
    InvoiceOut,
    InvoiceSummary,
    VatLine,
)
from app.notifications import public as notifications


async def _credited_number(session: AsyncSession, invoice: Invoice) -> DocumentRef | None:
    if invoice.credited_invoice_id is None:
        return None
    credited = await repository.get(session, invoice.credited_invoice_id)
    return None if credited is None else DocumentRef(id=credited.id, number=credited.number)


async def to_out(session: AsyncSession, invoice: Invoice) -> InvoiceOut:
    lines = await repository.lines_of(session, invoice.id)
    notes = await repository.credit_notes_of(session, invoice.id)
    standing = await receivables.standing(session, invoice)
    return InvoiceOut(
        id=invoice.id,
        kind=invoice.kind,
        number=invoice.number,
        issued_at=invoice.issued_at,
        source_kind=invoice.source_kind,
        source_id=invoice.source_id,
        credits=await _credited_number(session, invoice),
        reason=invoice.reason,
        buyer=Buyer(
            client_id=invoice.client_id,
            name=invoice.buyer_name,
            company_name=invoice.buyer_company,
            siren=invoice.buyer_siren,
            siret=invoice.buyer_siret,
            vat_number=invoice.buyer_vat_number,
            address=invoice.buyer_address,
            email=invoice.buyer_email,
        ),
        delivery_address=invoice.delivery_address,
        category=invoice.category,
        currency=invoice.currency,
        lines=[
            InvoiceLineOut(
                id=line.id,
                position=line.position,
                kind=line.kind,
                label=line.label,
                quantity=line.quantity,
                unit_price_excl_vat_cents=line.unit_price_excl_vat_cents,
                vat_rate=Decimal(line.vat_rate),
                vat_category=line.vat_category,
                total_excl_vat_cents=line.total_excl_vat_cents,
                vat_cents=line.vat_cents,
                total_incl_vat_cents=line.total_incl_vat_cents,
                credited_line_id=line.credited_line_id,
            )
            for line in lines
        ],
        vat=[
            VatLine(category=category, rate=rate, base_cents=base, vat_cents=vat)
            for category, rate, base, vat in mentions.vat_by_rate(lines)
        ],
        total_excl_vat_cents=invoice.total_excl_vat_cents,
        total_vat_cents=invoice.total_vat_cents,
        total_incl_vat_cents=invoice.total_incl_vat_cents,
        paid_cents=standing.paid_cents,
        credit_notes=[DocumentRef(id=n.id, number=n.number) for n in notes],
        due_on=standing.due_on,
        outstanding_cents=standing.outstanding_cents,
        status=standing.status,
    )


def to_summary(invoice: Invoice) -> InvoiceSummary:
    return InvoiceSummary(
        id=invoice.id,
        kind=invoice.kind,
        number=invoice.number,
        issued_at=invoice.issued_at,
        buyer_name=invoice.buyer_name,
        buyer_company=invoice.buyer_company,
        total_incl_vat_cents=invoice.total_incl_vat_cents,
    )


async def with_standings(session: AsyncSession, page: Page[InvoiceSummary]) -> Page[InvoiceSummary]:
    """The page's summaries with where each invoice stands (four queries for the page)."""
    invoices = await repository.by_ids(session, [item.id for item in page.items])
    found = await receivables.standings(session, invoices)
    items = [
        item.model_copy(
            update={
                "due_on": found[item.id].due_on,
                "paid_cents": found[item.id].paid_cents,
                "outstanding_cents": found[item.id].outstanding_cents,
                "status": found[item.id].status,
            }
        )
        for item in page.items
    ]
    return page.model_copy(update={"items": items})


def file_name(invoice: Invoice) -> str:
    return f"{mentions.title(invoice).lower()}-{invoice.number}.pdf"


async def invoice_pdf(session: AsyncSession, invoice: Invoice) -> bytes:
    """The Factur-X PDF (PDF/A-3 with its CII XML), made again from the stored document:
    the same rows always give the same invoice."""
    lines = await repository.lines_of(session, invoice.id)
    credited = await _credited_number(session, invoice)
    number = credited.number if credited else None
    title = f"{mentions.title(invoice)} {invoice.number}"
    author = mentions.seller().name

    def made() -> bytes:
        pdf = render_invoice(
            invoice, lines, credited_number=number, ticket_number=invoice.source_number
        )
        xml = cii_xml(invoice, lines, credited_number=number)
        return facturx_pdf(pdf, xml, title=title, author=author)

    # PDF, XML and the PDF/A-3 embedding are CPU work: off the event loop.
    return await to_thread.run_sync(made)


async def email_invoice(session: AsyncSession, invoice: Invoice) -> InvoiceEmailed:
    """Queue the French e-mail with the Factur-X PDF attached, to the client's address now
    (the invoice's when she has none left)."""
    email, first_name = invoice.buyer_email, ""
    if invoice.client_id is not None:
        client = await clients.get_client(session, invoice.client_id)
        email, first_name = client.email or email, client.first_name
    if email is None:
        raise NoEmailAddress()
    credited = await _credited_number(session, invoice)
    local = invoice.issued_at.astimezone(zone())
    message = await notifications.queue(
        session,
        template="invoice",
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(invoice.client_id, first_name, email, None),
        context={
            "invoice": {
                "title": mentions.title(invoice).lower(),
                "number": invoice.number,
                "date": f"{local:%d/%m/%Y}",
                "total": euros(invoice.total_incl_vat_cents),
                "credits": credited.number if credited else None,
            }
        },
        attachments=[
            notifications.encode_attachment(file_name(invoice), await invoice_pdf(session, invoice))
        ],
        meta={"invoice_id": str(invoice.id)},
    )
    return InvoiceEmailed(queued=message is not None, to=email)
