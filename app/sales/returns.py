"""Returns and exchanges: a credit ticket for lines of a completed order.

The credit ticket names the ticket it corrects and the lines given back, with minus amounts
computed by the same rule as the ticket (their share of the line's discount included), so a
whole line returned cancels it to the cent. The money goes back through the tenders that
paid, in a fixed order (docs/till.md, "Returns"): cash (out of the till), the card reader
(back to the card), the gift card (back onto it), a transfer, then what was paid online
(back to that card). Products come back into stock, or are written off when they cannot be
sold again. An exchange is a return and a new order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID, uuid5

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, Role
from app.core import outbox
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.journal import public as journal
from app.payments import public as payments
from app.sales import pricing, repository
from app.sales.checkout import (
    client_name,
    issued_event,
    ticket_line,
    ticket_number,
    till_name,
    vat_of,
)
from app.sales.errors import (
    CreditAboveLimit,
    NotATicket,
    NothingToReturn,
    RegisterNotOpen,
    SoldOnAccount,
)
from app.sales.models import CreditNote, LineKind, Order, OrderLine, OrderStatus, OrderTender
from app.sales.tickets import get_ticket
from app.sales.topics import TOPIC_TICKET_ISSUED, SoldTender
from app.stock import public as stock

REFUND_ORDER = ("cash", "card", "gift_card", "bank_transfer", "deposit")


@dataclass(frozen=True, slots=True)
class ReturnLineAsked:
    line_id: UUID
    quantity: int
    resellable: bool = True


@dataclass(frozen=True, slots=True)
class ReturnAsked:
    lines: Sequence[ReturnLineAsked]
    reason: str
    register_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class RefundedTender:
    method: str
    amount_cents: int
    payment_id: UUID | None
    refund_id: UUID | None


@dataclass(frozen=True, slots=True)
class Credit:
    note: CreditNote
    order: Order
    refunds: list[RefundedTender]


def _credit_lines(
    lines: dict[UUID, OrderLine], asked: Sequence[ReturnLineAsked]
) -> list[tuple[OrderLine, int, int, bool]]:
    """(line, quantity, discount given back, resellable) per line returned."""
    wanted: dict[UUID, int] = {}
    for item in asked:
        wanted[item.line_id] = wanted.get(item.line_id, 0) + item.quantity
    made = []
    for item in asked:
        line = lines.get(item.line_id)
        if line is None:
            raise NothingToReturn(
                "This line is not on the ticket.", extra={"line_id": str(item.line_id)}
            )
        left = line.quantity - line.returned_quantity
        if wanted[item.line_id] > left:
            raise NothingToReturn(
                f"{left} of this line can still be given back.",
                extra={"line_id": str(line.id), "returnable": left},
            )
        discount = pricing.returned_discount(
            line.discount_cents, line.quantity, line.returned_quantity, item.quantity
        )
        line.returned_quantity += item.quantity
        made.append((line, item.quantity, discount, item.resellable))
    return made


def _check_limit(actor: Principal, amount_cents: int) -> None:
    if actor.has_role(Role.owner, Role.manager):
        return
    limit = get_settings().payments.receptionist_refund_limit_cents
    if amount_cents > limit:
        raise CreditAboveLimit(
            f"Reception may give back up to {limit} cents on one credit ticket.",
            extra={"limit_cents": limit},
        )


def _allocate(tenders: list[OrderTender], amount_cents: int) -> list[tuple[OrderTender, int]]:
    """Which tenders give the money back, and how much each, in REFUND_ORDER."""
    ranked = sorted(tenders, key=lambda t: (REFUND_ORDER.index(t.method), t.created_at))
    left, parts = amount_cents, []
    for tender in ranked:
        part = min(left, tender.amount_cents - tender.refunded_cents)
        if part > 0:
            parts.append((tender, part))
            left -= part
    if left > 0:  # cannot happen while the tenders paid the ticket; refused, never invented
        raise NothingToReturn("The tenders of this ticket cannot give this much back.")
    return parts


async def _till_for_cash(session: AsyncSession, order: Order, register_id: UUID | None) -> UUID:
    till = register_id or order.register_id
    if till not in await repository.open_registers(session):
        raise RegisterNotOpen("Cash goes back out of an open till: open it or name another.")
    return till


async def _refund(
    session: AsyncSession,
    parts: list[tuple[OrderTender, int]],
    *,
    credit_id: UUID,
    reason: str,
    actor: Principal,
    training: bool,
) -> list[RefundedTender]:
    done = []
    for tender, part in parts:
        refund_id = None
        if tender.payment_id is not None and not training:
            payment = await payments.get_payment(session, tender.payment_id, lock=True)
            refund = await payments.refund_payment(
                session,
                payment,
                amount_cents=part,
                reason=reason,
                requested_by_user_id=actor.user_id,
                automatic=True,  # the credit ticket is the rule: journaled, never asked twice
                # One key per credit ticket and payment, short: providers keep it in refs.
                key=f"credit-{uuid5(credit_id, str(payment.id))}",
            )
            refund_id = refund.id
        tender.refunded_cents += part
        done.append(RefundedTender(tender.method, part, tender.payment_id, refund_id))
    return done


async def _restock(
    session: AsyncSession,
    returned: list[tuple[OrderLine, int, int, bool]],
    credit_id: UUID,
    actor: Principal,
) -> None:
    for resellable in (True, False):
        lines = [
            stock.StockLine(line.product_id, quantity)
            for line, quantity, _, back in returned
            if back is resellable and line.kind == LineKind.product and line.product_id
        ]
        if lines:
            await stock.record_return(
                session,
                lines,
                resellable=resellable,
                reference_kind="ticket",
                reference_id=credit_id,
                actor_user_id=actor.user_id,
            )


async def refund_ticket(
    session: AsyncSession, record_id: UUID, asked: ReturnAsked, actor: Principal
) -> Credit:
    """Give back lines of a ticket: the credit ticket, the refunds, the stock."""
    record, _ = await get_ticket(session, record_id)
    order = await repository.order_by_ticket(session, record.id, lock=True)
    if order is None or order.status != OrderStatus.completed:
        raise NotATicket()
    tenders = await repository.tenders_of(session, order.id)
    if any(tender.method == "on_account" for tender in tenders):
        raise SoldOnAccount(
            "Issue a credit note on the ticket's invoice: "
            "POST /api/v1/invoices/{invoice_id}/credit-notes."
        )
    lines = {line.id: line for line in await repository.lines_of(session, order.id)}
    returned = _credit_lines(lines, asked.lines)
    credit_id = new_id()
    printed = [ticket_line(line, -q, -d, {}) for line, q, d, _ in returned]
    excl, vat, incl = vat_of(printed)
    amount = -incl
    _check_limit(actor, amount)
    parts = _allocate(tenders, amount)
    register_id = order.register_id
    if any(tender.method == "cash" for tender, _ in parts):
        register_id = await _till_for_cash(session, order, asked.register_id)
    refunds = await _refund(
        session,
        parts,
        credit_id=credit_id,
        reason=asked.reason[:200],
        actor=actor,
        training=order.training,
    )
    if not order.training:
        await _restock(session, returned, credit_id, actor)
    by_method: dict[str, int] = {}
    for refund in refunds:
        by_method[refund.method] = by_method.get(refund.method, 0) - refund.amount_cents
    now = utcnow()
    payload = journal.TicketPayload(
        number=await ticket_number(session, credit=True, training=order.training, year=now.year),
        issued_at=now,
        till=await till_name(session, register_id),
        lines=tuple(printed),
        total_excl_vat_cents=excl,
        vat=vat,
        total_incl_vat_cents=incl,
        tenders=tuple(
            journal.TenderAmount(method=journal.TenderMethod(m), amount_cents=a)
            for m, a in by_method.items()
        ),
        corrects=journal.CorrectedTicket(number=order.ticket_number or "", record_id=record.id),
        order_id=order.id,
        client_name=await client_name(session, order),
    )
    ref = await journal.append(
        session,
        journal.RecordKind.credit_ticket,
        payload,
        register_id=register_id,
        training=order.training,
    )
    note = CreditNote(
        id=credit_id,
        order_id=order.id,
        ticket_record_id=ref.id,
        ticket_number=payload.number,
        amount_cents=amount,
        reason=asked.reason,
        created_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(note)
    if not order.training:
        sold = [
            SoldTender(method=r.method, amount_cents=-r.amount_cents, payment_id=r.payment_id)
            for r in refunds
        ]
        event = issued_event(
            order,
            [line for line, *_ in returned],
            payload,
            sold,
            [],
            record_id=ref.id,
            kind="credit_ticket",
        )
        await outbox.enqueue(session, TOPIC_TICKET_ISSUED, event)
    await session.flush()
    return Credit(note, order, refunds)
