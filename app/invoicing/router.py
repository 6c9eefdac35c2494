"""Invoices and credit notes over HTTP: the front desk issues, lists, downloads and
e-mails them; a manager issues credit notes; a client lists and downloads her own."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response, status

from app.auth.public import DbSession, FrontDesk, Manager
from app.clients.public import ClientNotFound
from app.core.errors import ValidationFailed, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.invoicing import documents, flows, repository, service
from app.invoicing.dependencies import InvoiceForClient, InvoiceForDesk, OwnClientId
from app.invoicing.errors import (
    AmountAboveOutstanding,
    CreditAboveOutstanding,
    InvoiceAlreadyIssued,
    InvoiceClientMismatch,
    InvoiceNeedsClient,
    InvoiceNotFound,
    InvoiceSourceNotFound,
    NoEmailAddress,
    NotAnInvoice,
    NothingLeftToCredit,
    NotOnAccount,
    UnknownInvoiceLine,
)
from app.invoicing.models import Invoice
from app.invoicing.schemas import (
    CreditNoteCreate,
    InvoiceCreate,
    InvoiceEmailed,
    InvoiceOut,
    InvoicePaymentCreate,
    InvoicePaymentOut,
    InvoiceSummary,
)

router = APIRouter(tags=["invoices"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The Factur-X PDF"}
}
_NOT_FOUND = error_responses(InvoiceNotFound)


def _pdf(invoice: Invoice, made: bytes) -> Response:
    disposition = f'attachment; filename="{documents.file_name(invoice)}"'
    return Response(
        made, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.post(
    "/api/v1/invoices",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        InvoiceSourceNotFound,
        InvoiceAlreadyIssued,
        InvoiceNeedsClient,
        InvoiceClientMismatch,
        ClientNotFound,
    ),
)
async def issue_invoice(body: InvoiceCreate, actor: FrontDesk, session: DbSession) -> InvoiceOut:
    """The invoice of a completed sale, numbered F{year}-000001 on; one per sale."""
    invoice = await service.issue_invoice(
        session,
        source_kind=body.source_kind,
        source_id=body.source_id,
        client_id=body.client_id,
        delivery_address=body.delivery_address,
        actor_user_id=actor.user_id,
    )
    return await documents.to_out(session, invoice)


@router.get("/api/v1/invoices")
async def list_invoices(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    kind: Literal["invoice", "credit_note"] | None = None,
    client_id: UUID | None = None,
) -> Page[InvoiceSummary]:
    """Invoices and credit notes, newest first, with where each stands (sales on account:
    due date, paid, outstanding, status)."""
    found = await paginate(
        session,
        repository.scoped(client_id=client_id, kind=kind),
        order_by=(Invoice.issued_at, Invoice.id),
        params=page,
        descending=True,
        to_item=documents.to_summary,
    )
    return await documents.with_standings(session, found)


@router.get("/api/v1/invoices/{invoice_id}", responses=_NOT_FOUND)
async def get_invoice(invoice: InvoiceForDesk, session: DbSession) -> InvoiceOut:
    return await documents.to_out(session, invoice)


@router.get("/api/v1/invoices/{invoice_id}/pdf", responses={**_NOT_FOUND, **PDF})
async def invoice_pdf(invoice: InvoiceForDesk, session: DbSession) -> Response:
    """The Factur-X PDF: PDF/A-3 with its CII XML (EN 16931) embedded."""
    return _pdf(invoice, await documents.invoice_pdf(session, invoice))


@router.post(
    "/api/v1/invoices/{invoice_id}/credit-notes",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        InvoiceNotFound,
        NotAnInvoice,
        NothingLeftToCredit,
        UnknownInvoiceLine,
        CreditAboveOutstanding,
    ),
)
async def issue_credit_note(
    invoice_id: UUID, body: CreditNoteCreate, actor: Manager, session: DbSession
) -> InvoiceOut:
    """A credit note (AV{year}-000001 on) that cancels the invoice (`full`) or some of its
    lines, and names it."""
    note = await service.issue_credit_note(session, invoice_id, body, actor_user_id=actor.user_id)
    return await documents.to_out(session, note)


@router.post(
    "/api/v1/invoices/{invoice_id}/payments",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        InvoiceNotFound, NotAnInvoice, NotOnAccount, AmountAboveOutstanding, ValidationFailed
    ),
)
async def record_invoice_payment(
    invoice_id: UUID, body: InvoicePaymentCreate, actor: Manager, session: DbSession
) -> InvoicePaymentOut:
    """What a business client paid on an invoice sold on account (a bank transfer, or cash):
    part or all of what is still owed, never more (send an `Idempotency-Key`). A payment of
    the payments domain: the day's payments and the books (512 or 530 against the client's
    411) see it."""
    done = await flows.record_payment(session, invoice_id, body, actor)
    paid, standing = done.settlement, done.standing
    return InvoicePaymentOut(
        payment_id=paid.payment_id,
        invoice_id=paid.invoice_id,
        method=paid.method,
        amount_cents=paid.amount_cents,
        received_on=paid.received_on,
        reference=paid.reference,
        outstanding_cents=standing.outstanding_cents,
        status=standing.status or "paid",
    )


@router.post(
    "/api/v1/invoices/{invoice_id}/email",
    responses=error_responses(InvoiceNotFound, NoEmailAddress),
)
async def email_invoice(invoice: InvoiceForDesk, session: DbSession) -> InvoiceEmailed:
    """E-mail the document to the client, its Factur-X PDF attached."""
    return await documents.email_invoice(session, invoice)


@router.get("/api/v1/me/invoices")
async def my_invoices(
    client_id: OwnClientId, session: DbSession, page: Pagination
) -> Page[InvoiceSummary]:
    """Her invoices and credit notes, newest first."""
    if client_id is None:
        return Page[InvoiceSummary](items=[])
    found = await paginate(
        session,
        repository.scoped(client_id=client_id),
        order_by=(Invoice.issued_at, Invoice.id),
        params=page,
        descending=True,
        to_item=documents.to_summary,
    )
    return await documents.with_standings(session, found)


@router.get("/api/v1/me/invoices/{invoice_id}/pdf", responses={**_NOT_FOUND, **PDF})
async def my_invoice_pdf(invoice: InvoiceForClient, session: DbSession) -> Response:
    return _pdf(invoice, await documents.invoice_pdf(session, invoice))
