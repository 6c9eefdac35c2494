"""Issuing invoices and credit notes. A number is taken from its series' counter row
(`core.numbering.next_number`) inside the issuing transaction, as late as possible: a
rollback gives it back, two issuers queue on the row. Every amount comes from the ticket's
own figures; a partial credit note follows the till's rounding rule, and the last part of a
line takes exactly what is left of it, so a line credited in several goes cancels to the
cent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.money import vat_included
from app.core.numbering import next_number
from app.core.timeutils import zone
from app.giftcards import public as giftcards
from app.invoicing import receivables, repository
from app.invoicing.errors import (
    CreditAboveOutstanding,
    InvoiceAlreadyIssued,
    InvoiceClientMismatch,
    InvoiceNeedsClient,
    InvoiceNotFound,
    InvoiceSourceNotFound,
    NotAnInvoice,
    NothingLeftToCredit,
    UnknownInvoiceLine,
)
from app.invoicing.models import (
    Category,
    DocumentKind,
    Invoice,
    InvoiceLine,
    LineKind,
    SourceKind,
    VatCategory,
)
from app.invoicing.schemas import CreditNoteCreate
from app.invoicing.topics import TOPIC_CREDIT_NOTE_ON_ACCOUNT, CreditedAmount, CreditNoteOnAccount
from app.sales import public as sales

# A single-purpose card's one known rate (docs/giftcards.md, "Accounting": the salon's
# services and products are all at 20 %).
GIFT_CARD_VAT_RATE = Decimal("20.00")
PREFIXES = {DocumentKind.invoice: ("invoice", "F"), DocumentKind.credit_note: ("credit-note", "AV")}


@dataclass(frozen=True, slots=True)
class Numbered:
    series: str
    sequence: int
    number: str


async def take_number(session: AsyncSession, kind: DocumentKind, issued_at: datetime) -> Numbered:
    """The next number of the kind's series for the year of `issued_at` (salon time):
    `F2027-000001`, `AV2027-000001`."""
    key, prefix = PREFIXES[kind]
    year = issued_at.astimezone(zone()).year
    series = f"{key}-{year}"
    sequence = await next_number(session, series)
    return Numbered(series, sequence, f"{prefix}{year}-{sequence:06d}")


async def _insert_numbered(
    session: AsyncSession, document: Invoice, lines: list[InvoiceLine]
) -> None:
    """Number and insert `document` in one savepoint: when a constraint refuses it (the same
    sale invoiced twice at once) the number goes back with the row, leaving no hole."""
    try:
        async with session.begin_nested():
            numbered = await take_number(session, DocumentKind(document.kind), document.issued_at)
            document.number, document.series = numbered.number, numbered.series
            document.sequence = numbered.sequence
            session.add(document)
            await session.flush()
    except IntegrityError as exc:
        raise InvoiceAlreadyIssued() from exc
    for position, line in enumerate(lines, start=1):
        line.invoice_id, line.position = document.id, position
    session.add_all(lines)
    await session.flush()


def category_of(kinds: Sequence[str]) -> Category:
    goods = {k for k in kinds if k == "product"}
    services = {k for k in kinds if k != "product"}
    if goods and services:
        return Category.both
    return Category.goods if goods else Category.services


def _line(sold: sales.InvoiceableLine) -> InvoiceLine:
    return InvoiceLine(
        id=new_id(),
        kind=sold.kind,
        label=sold.label,
        quantity=sold.quantity,
        unit_price_incl_vat_cents=sold.unit_price_cents,
        discount_incl_vat_cents=sold.discount_cents,
        unit_price_excl_vat_cents=_unit_excl(sold.total_excl_vat_cents, sold.quantity),
        vat_rate=sold.vat_rate,
        vat_category=VatCategory.standard,
        total_excl_vat_cents=sold.total_excl_vat_cents,
        vat_cents=sold.total_incl_vat_cents - sold.total_excl_vat_cents,
        total_incl_vat_cents=sold.total_incl_vat_cents,
    )


def _unit_excl(total_excl_cents: int, quantity: int) -> int:
    """The net unit price without VAT, half up to the cent (the line's total is the
    ticket's own figure; this is what one unit comes to)."""
    return (2 * total_excl_cents + quantity) // (2 * quantity)


async def _ticket_of(session: AsyncSession, kind: str, source_id: UUID) -> sales.TicketForInvoice:
    record_id: UUID | None = source_id
    if kind == SourceKind.booking:
        record_id = await sales.ticket_of_booking(session, source_id)
    ticket = None if record_id is None else await sales.ticket_for_invoice(session, record_id)
    if ticket is None:
        raise InvoiceSourceNotFound()
    return ticket


async def _buyer(
    session: AsyncSession, sale_client_id: UUID | None, client_id: UUID | None
) -> clients.BillingDetails:
    if client_id is not None and sale_client_id not in (None, client_id):
        raise InvoiceClientMismatch()
    chosen = client_id or sale_client_id
    if chosen is None:
        raise InvoiceNeedsClient("Name the client the invoice is made out to (client_id).")
    return await clients.billing_details(session, chosen)


def _document(
    buyer: clients.BillingDetails,
    lines: list[InvoiceLine],
    *,
    source: tuple[SourceKind, UUID, str | None],
    paid: tuple[int, datetime, str | None],
) -> Invoice:
    """An invoice of `lines` to `buyer`, already paid (`paid`: amount, when, how)."""
    excl = sum(line.total_excl_vat_cents for line in lines)
    incl = sum(line.total_incl_vat_cents for line in lines)
    return Invoice(
        id=new_id(),
        kind=DocumentKind.invoice,
        issued_at=utcnow(),
        source_kind=source[0],
        source_id=source[1],
        source_number=source[2],
        client_id=buyer.id,
        buyer_name=buyer.name,
        buyer_company=buyer.company_name,
        buyer_siren=buyer.siren,
        buyer_siret=buyer.siret,
        buyer_vat_number=buyer.vat_number,
        buyer_address=buyer.address,
        buyer_email=buyer.email,
        category=category_of([line.kind for line in lines]),
        currency="EUR",
        total_excl_vat_cents=excl,
        total_vat_cents=incl - excl,
        total_incl_vat_cents=incl,
        paid_cents=paid[0],
        paid_at=paid[1],
        payment_methods=paid[2],
    )


def _gift_card_line(sale: giftcards.GiftCardSale) -> InvoiceLine:
    """A single-purpose card bears its VAT at sale; a multi-purpose one is outside the
    scope of VAT until it is spent (CGI 256 ter)."""
    single = sale.vat_treatment == "single_purpose"
    rate = GIFT_CARD_VAT_RATE if single else Decimal("0.00")
    excl = sale.amount_cents - vat_included(sale.amount_cents, rate)
    return InvoiceLine(
        id=new_id(),
        kind=LineKind.gift_card,
        label=f"Carte cadeau …{sale.code_hint}",
        quantity=1,
        unit_price_incl_vat_cents=sale.amount_cents,
        unit_price_excl_vat_cents=excl,
        vat_rate=rate,
        vat_category=VatCategory.standard if single else VatCategory.outside_scope,
        total_excl_vat_cents=excl,
        vat_cents=sale.amount_cents - excl,
        total_incl_vat_cents=sale.amount_cents,
    )


async def issue_invoice(
    session: AsyncSession,
    *,
    source_kind: str,
    source_id: UUID,
    client_id: UUID | None = None,
    delivery_address: str | None = None,
    actor_user_id: UUID | None = None,
) -> Invoice:
    """The invoice of a completed sale (a ticket, the ticket that checked a booking out, or
    a gift card sold), numbered in its year's series. One per sale: InvoiceAlreadyIssued
    otherwise."""
    if source_kind == SourceKind.gift_card:
        invoice, lines = await _of_gift_card(session, source_id, client_id)
    else:
        invoice, lines = await _of_ticket(session, source_kind, source_id, client_id)
    invoice.delivery_address, invoice.created_by_user_id = delivery_address, actor_user_id
    await _insert_numbered(session, invoice, lines)
    return invoice


async def _of_ticket(
    session: AsyncSession, source_kind: str, source_id: UUID, client_id: UUID | None
) -> tuple[Invoice, list[InvoiceLine]]:
    ticket = await _ticket_of(session, source_kind, source_id)
    if await repository.for_source(session, SourceKind.ticket, ticket.record_id) is not None:
        raise InvoiceAlreadyIssued()
    buyer = await _buyer(session, ticket.client_id, client_id)
    lines = [_line(sold) for sold in ticket.lines]
    methods = ", ".join(dict.fromkeys(ticket.payment_methods)) or None
    paid = ticket.total_incl_vat_cents - ticket.on_account_cents
    invoice = _document(
        buyer,
        lines,
        source=(SourceKind.ticket, ticket.record_id, ticket.number),
        paid=(paid, ticket.issued_at, methods),
    )
    if ticket.on_account_cents:
        invoice.on_account_cents = ticket.on_account_cents
        invoice.due_date = due_date_of(invoice.issued_at)
    return invoice, lines


def due_date_of(issued_at: datetime) -> date:
    """The day a sale on account falls due: the invoice's date (salon time) plus the terms."""
    days = get_settings().invoicing.account_payment_days
    return issued_at.astimezone(zone()).date() + timedelta(days=days)


async def _of_gift_card(
    session: AsyncSession, card_id: UUID, client_id: UUID | None
) -> tuple[Invoice, list[InvoiceLine]]:
    sale = await giftcards.sale_for_invoice(session, card_id)
    if sale is None:
        raise InvoiceSourceNotFound()
    if await repository.for_source(session, SourceKind.gift_card, card_id) is not None:
        raise InvoiceAlreadyIssued()
    buyer = await _buyer(session, sale.buyer_client_id, client_id)
    lines = [_gift_card_line(sale)]
    invoice = _document(
        buyer,
        lines,
        source=(SourceKind.gift_card, card_id, None),
        paid=(sale.amount_cents, sale.sold_at, None),
    )
    return invoice, lines


async def get_invoice(
    session: AsyncSession, invoice_id: UUID, *, client_id: UUID | None = None
) -> Invoice:
    invoice = await repository.get(session, invoice_id, client_id=client_id)
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def _credited(line: InvoiceLine, quantity: int, before: int, given: tuple[int, int]) -> InvoiceLine:
    """`quantity` more units of `line` given back, `before` already were (for `given`:
    VAT included, without)."""
    if before + quantity == line.quantity:  # the last part takes exactly what is left
        incl = line.total_incl_vat_cents - given[0]
        excl = line.total_excl_vat_cents - given[1]
    else:
        discount = sales.returned_discount(
            line.discount_incl_vat_cents, line.quantity, before, quantity
        )
        incl = quantity * line.unit_price_incl_vat_cents - discount
        excl = incl - vat_included(incl, Decimal(line.vat_rate))
    return InvoiceLine(
        id=new_id(),
        kind=line.kind,
        label=line.label,
        quantity=quantity,
        unit_price_incl_vat_cents=line.unit_price_incl_vat_cents,
        discount_incl_vat_cents=quantity * line.unit_price_incl_vat_cents - incl,
        unit_price_excl_vat_cents=_unit_excl(excl, quantity),
        vat_rate=line.vat_rate,
        vat_category=line.vat_category,
        total_excl_vat_cents=excl,
        vat_cents=incl - excl,
        total_incl_vat_cents=incl,
        credited_line_id=line.id,
    )


async def _credit_lines(
    session: AsyncSession, lines: list[InvoiceLine], asked: CreditNoteCreate
) -> list[InvoiceLine]:
    by_id = {line.id: line for line in lines}
    before = await repository.credited_quantities(session, list(by_id))
    given = await repository.credited_amounts(session, list(by_id))
    if asked.lines is None:
        wanted = {line.id: line.quantity - before.get(line.id, 0) for line in lines}
        wanted = {line_id: q for line_id, q in wanted.items() if q > 0}
    else:
        wanted = {}
        for item in asked.lines:
            if item.line_id not in by_id:
                raise UnknownInvoiceLine(extra={"line_id": str(item.line_id)})
            wanted[item.line_id] = item.quantity
    credited = []
    for line_id, quantity in wanted.items():
        line, done = by_id[line_id], before.get(line_id, 0)
        if done + quantity > line.quantity:
            raise NothingLeftToCredit(extra={"line_id": str(line_id), "left": line.quantity - done})
        credited.append(_credited(line, quantity, done, given.get(line_id, (0, 0))))
    if not credited:
        raise NothingLeftToCredit()
    return credited


async def issue_credit_note(
    session: AsyncSession,
    invoice_id: UUID,
    asked: CreditNoteCreate,
    *,
    actor_user_id: UUID | None = None,
) -> Invoice:
    """A credit note (AV…) that cancels the invoice wholly or the lines asked, and names it.
    The invoice is locked, so two credit notes for it take turns and never give back more
    than it sold."""
    invoice = await repository.get(session, invoice_id, lock=True)
    if invoice is None:
        raise InvoiceNotFound()
    if invoice.kind != DocumentKind.invoice:
        raise NotAnInvoice()
    lines = await _credit_lines(session, await repository.lines_of(session, invoice.id), asked)
    excl = sum(line.total_excl_vat_cents for line in lines)
    incl = sum(line.total_incl_vat_cents for line in lines)
    if invoice.on_account_cents:
        owed = (await receivables.standing(session, invoice)).outstanding_cents
        if incl > owed:
            raise CreditAboveOutstanding(
                f"{owed} cents are still owed on this invoice.",
                extra={"outstanding_cents": owed, "credit_cents": incl},
            )
    note = Invoice(
        id=new_id(),
        kind=DocumentKind.credit_note,
        issued_at=utcnow(),
        source_kind=invoice.source_kind,
        source_id=invoice.source_id,
        source_number=invoice.source_number,
        credited_invoice_id=invoice.id,
        reason=asked.reason,
        client_id=invoice.client_id,
        buyer_name=invoice.buyer_name,
        buyer_company=invoice.buyer_company,
        buyer_siren=invoice.buyer_siren,
        buyer_siret=invoice.buyer_siret,
        buyer_vat_number=invoice.buyer_vat_number,
        buyer_address=invoice.buyer_address,
        buyer_email=invoice.buyer_email,
        delivery_address=invoice.delivery_address,
        category=category_of([line.kind for line in lines]),
        currency=invoice.currency,
        total_excl_vat_cents=excl,
        total_vat_cents=incl - excl,
        total_incl_vat_cents=incl,
        paid_cents=0,
        created_by_user_id=actor_user_id,
    )
    await _insert_numbered(session, note, lines)
    if invoice.on_account_cents:
        await outbox.enqueue(
            session, TOPIC_CREDIT_NOTE_ON_ACCOUNT, _on_account(note, invoice, lines)
        )
    return note


def _on_account(note: Invoice, invoice: Invoice, lines: list[InvoiceLine]) -> CreditNoteOnAccount:
    """What the books take off the client's account (every line: the credit note never
    exceeds what is still owed)."""
    return CreditNoteOnAccount(
        credit_note_id=note.id,
        number=note.number,
        issued_at=note.issued_at.isoformat(),
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        client_id=invoice.client_id,
        lines=[
            CreditedAmount(
                kind=line.kind,
                vat_rate=Decimal(line.vat_rate),
                amount_excl_vat_cents=line.total_excl_vat_cents,
                amount_incl_vat_cents=line.total_incl_vat_cents,
            )
            for line in lines
        ],
        total_incl_vat_cents=note.total_incl_vat_cents,
    )
