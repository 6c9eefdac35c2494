"""What other domains use of sales: which till is open (a ticket names its till and is
appended to the journal with its `register_id`), the cash a session expects, the sessions
closed (for the reports), and the ticket event the accounting follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.journal import public as journal
from app.sales import repository, service
from app.sales.pricing import returned_discount
from app.sales.service import DENOMINATIONS, ExpectedCash
from app.sales.topics import TOPIC_TICKET_ISSUED, SoldLine, SoldTender, TicketIssued, TipOwed

__all__ = [
    "DENOMINATIONS",
    "TOPIC_TICKET_ISSUED",
    "ClosedSession",
    "ExpectedCash",
    "InvoiceableLine",
    "OpenTill",
    "SoldLine",
    "SoldTender",
    "TicketForInvoice",
    "TicketIssued",
    "TipOwed",
    "closed_sessions",
    "expected_cash",
    "open_till",
    "returned_discount",
    "ticket_for_invoice",
    "ticket_of_booking",
]


@dataclass(frozen=True, slots=True)
class OpenTill:
    register_id: UUID
    name: str  # the `till` of a TicketPayload
    session_id: UUID


async def open_till(session: AsyncSession, register_id: UUID) -> OpenTill:
    """The till and its open session (RegisterNotFound, RegisterNotOpen otherwise)."""
    register = await service.get_register(session, register_id)
    opened = await service.current_session(session, register)
    return OpenTill(register.id, register.name, opened.id)


async def expected_cash(session: AsyncSession, register_id: UUID) -> ExpectedCash | None:
    """The cash the till's open session expects now; None when the till is closed."""
    opened = await repository.open_session(session, register_id)
    return None if opened is None else await service.expected_cash(session, opened)


@dataclass(frozen=True, slots=True)
class ClosedSession:
    """A till session once closed: the cash it expected, the cash counted, the difference."""

    session_id: UUID
    register_id: UUID
    till: str
    opened_at: datetime
    closed_at: datetime
    expected_cents: int
    counted_cents: int
    difference_cents: int  # counted - expected
    closed_by_user_id: UUID | None


async def closed_sessions(
    session: AsyncSession, start: datetime, end: datetime
) -> list[ClosedSession]:
    """The till sessions closed in [start, end), in closing order."""
    rows = await repository.sessions_closed_between(session, start, end)
    return [
        ClosedSession(
            opened.id,
            opened.register_id,
            till,
            opened.opened_at,
            opened.closed_at or opened.opened_at,
            opened.expected_cents or 0,
            opened.counted_cents or 0,
            opened.difference_cents or 0,
            opened.closed_by_user_id,
        )
        for opened, till in rows
    ]


@dataclass(frozen=True, slots=True)
class InvoiceableLine:
    kind: str  # service, product or fee
    label: str
    quantity: int
    unit_price_cents: int  # VAT included, as the ticket sold it
    discount_cents: int  # VAT included
    vat_rate: Decimal
    total_excl_vat_cents: int
    total_incl_vat_cents: int


@dataclass(frozen=True, slots=True)
class TicketForInvoice:
    """A completed order's ticket as an invoice needs it: the journal's own figures line by
    line, with what each line sold (from the order)."""

    record_id: UUID
    number: str
    issued_at: datetime
    order_id: UUID
    client_id: UUID | None
    booking_id: UUID | None
    lines: tuple[InvoiceableLine, ...]
    total_excl_vat_cents: int
    total_incl_vat_cents: int
    payment_methods: tuple[str, ...]  # the tenders' French labels ("Espèces", ...)
    on_account_cents: int = 0  # left owed by a business client, paid on its invoice later


async def ticket_for_invoice(session: AsyncSession, record_id: UUID) -> TicketForInvoice | None:
    """The ticket of a completed, real (not training) order; None for anything else (a
    credit ticket, a cancellation, an unknown id)."""
    order = await repository.order_by_ticket(session, record_id, lock=False)
    record = await journal.get_record(session, record_id)
    if order is None or order.training or record is None or record.kind != "ticket":
        return None
    ticket = journal.TicketPayload.model_validate(record.payload)
    kinds = [line.kind for line in await repository.lines_of(session, order.id)]
    lines = tuple(
        InvoiceableLine(
            kind=kind,
            label=line.label,
            quantity=line.quantity,
            unit_price_cents=line.unit_price_cents,
            discount_cents=line.discount_cents,
            vat_rate=Decimal(line.vat_rate),
            total_excl_vat_cents=line.total_excl_vat_cents,
            total_incl_vat_cents=line.amount_incl_vat_cents,
        )
        for kind, line in zip(kinds, ticket.lines, strict=True)
    )
    return TicketForInvoice(
        record_id=record_id,
        number=ticket.number,
        issued_at=ticket.issued_at,
        order_id=order.id,
        client_id=order.client_id,
        booking_id=order.booking_id,
        lines=lines,
        total_excl_vat_cents=ticket.total_excl_vat_cents,
        total_incl_vat_cents=ticket.total_incl_vat_cents,
        payment_methods=tuple(
            journal.TENDER_LABELS[t.method]
            for t in ticket.tenders
            if t.method != journal.TenderMethod.on_account
        ),
        on_account_cents=sum(
            t.amount_cents for t in ticket.tenders if t.method == journal.TenderMethod.on_account
        ),
    )


async def ticket_of_booking(session: AsyncSession, booking_id: UUID) -> UUID | None:
    """The journal record of the ticket that checked the booking out, if it was."""
    order = await repository.completed_order_of_booking(session, booking_id)
    return None if order is None else order.ticket_record_id
