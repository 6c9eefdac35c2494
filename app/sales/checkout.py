"""Paying an order and completing it into a ticket.

A tender takes money through payments (the card reader, cash, a transfer) or gift cards (a
card spent on the order), in the order's subject ("order", id), until nothing is due; a
business client's order may instead be left owed on account (a manager's decision: its
invoice is paid later, docs/till.md). Cash
may exceed what is due: the rest is the change given back. Completing the order, in one
transaction: the products leave the stock, the booking is completed, the ticket gets the
next number of its series (a counter row under lock: no gap, no double) and is appended to
the journal last (its chain head stays locked until the commit), and the accounting is told
through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import Principal, Role
from app.bookings import public as bookings
from app.clients import public as clients
from app.core import outbox
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.money import split
from app.core.numbering import next_number
from app.coupons import public as coupons
from app.giftcards import public as giftcards
from app.journal import public as journal
from app.payments import public as payments
from app.practitioners import public as practitioners
from app.sales import pricing, repository
from app.sales.errors import (
    NotInTraining,
    OnAccountNeedsBusinessClient,
    OnAccountStaffOnly,
    OrderNotOpen,
    OrderNotPaid,
    PaymentInProgress,
)
from app.sales.models import LineKind, Order, OrderLine, OrderStatus, OrderTender
from app.sales.orders import get_order
from app.sales.topics import TOPIC_TICKET_ISSUED, SoldLine, SoldTender, TicketIssued, TipOwed
from app.sales.views import TAKEN
from app.stock import public as stock

# The desk's words for a tender, and the journal's.
TENDER_OF = {
    "sumup_terminal": journal.TenderMethod.card,
    "cash": journal.TenderMethod.cash,
    "bank_transfer": journal.TenderMethod.bank_transfer,
    "gift_card": journal.TenderMethod.gift_card,
    "on_account": journal.TenderMethod.on_account,
}
ON_ACCOUNT = "on_account"


@dataclass(frozen=True, slots=True)
class TenderAsked:
    method: str  # sumup_terminal, cash, bank_transfer, gift_card or on_account
    amount_cents: int | None  # None: all that is due
    tip_cents: int = 0
    gift_card_code: str | None = None
    reader_id: UUID | None = None
    note: str | None = None


async def due_now(session: AsyncSession, order: Order) -> int:
    if order.training:
        paid = sum(t.amount_cents for t in await repository.tenders_of(session, order.id))
        return order.total_cents - paid
    return (await payments.balance(session, "order", order.id)).due_cents


async def add_tender(
    session: AsyncSession, order_id: UUID, asked: TenderAsked, actor: Principal
) -> OrderTender:
    """One tender towards the order (locked). Cash above what is due is change."""
    order = await get_order(session, order_id, lock=True)
    if order.status != OrderStatus.open:
        raise OrderNotOpen()
    due = await due_now(session, order)
    amount = due if asked.amount_cents is None else asked.amount_cents
    change = max(amount - due, 0) if asked.method == "cash" else 0
    applied = amount - change
    if applied <= 0 and asked.tip_cents <= 0:
        raise payments.NothingToPay(extra={"due_cents": due})
    if asked.method == ON_ACCOUNT:
        await _check_on_account(session, order, asked, actor, due)
        return await _record(session, order, asked, None, applied, 0)
    if order.training:  # no real money: the tender is written down, nothing is charged
        if asked.method == "gift_card":
            raise NotInTraining("A gift card is never spent in training.")
        return await _record(session, order, asked, None, applied, change)
    if asked.method == "gift_card":
        if asked.tip_cents:
            raise payments.TipNotAllowed("A gift card pays the order, not a tip.")
        spent = await giftcards.redeem(
            session,
            asked.gift_card_code or "",
            subject=("order", order.id),
            amount_cents=asked.amount_cents,  # None: what is due, up to what the card holds
            actor_user_id=actor.user_id,
        )
        return await _record(session, order, asked, spent.payment_id, spent.redeemed_cents, 0)
    payment = await payments.take_in_person(
        session,
        subject=("order", order.id),
        method=payments.PaymentMethod(asked.method),
        amount_cents=applied,
        tip_cents=asked.tip_cents,
        reader_id=asked.reader_id,
        note=asked.note,
        staff_user_id=actor.user_id,
    )
    return await _record(session, order, asked, payment.id, applied, change)


async def _check_on_account(
    session: AsyncSession, order: Order, asked: TenderAsked, actor: Principal, due: int
) -> None:
    """What is left of a business client's order may stay owed, by a manager's decision;
    never a tip, never more than is due, never in training."""
    if not actor.has_role(Role.owner, Role.manager):
        raise OnAccountStaffOnly("A manager or the owner decides to sell on account.")
    if order.training:
        raise NotInTraining("A training order is never sold on account.")
    if asked.tip_cents:
        raise payments.TipNotAllowed("A sale on account carries no tip.")
    buyer = None
    if order.client_id is not None:
        buyer = await clients.billing_details(session, order.client_id)
    if buyer is None or not buyer.is_business:
        raise OnAccountNeedsBusinessClient("Name a client with a company name on the order.")
    if asked.amount_cents is not None and asked.amount_cents > due:
        raise payments.AmountExceedsBalance(
            f"{due} cents are due on this order.", extra={"due_cents": due}
        )


async def _record(
    session: AsyncSession,
    order: Order,
    asked: TenderAsked,
    payment_id: UUID | None,
    applied: int,
    change: int,
) -> OrderTender:
    tender = OrderTender(
        id=new_id(),
        order_id=order.id,
        payment_id=payment_id,
        method=TENDER_OF[asked.method],
        amount_cents=applied,
        tip_cents=asked.tip_cents,
        change_cents=change,
        created_at=utcnow(),
    )
    session.add(tender)
    order.updated_at = tender.created_at
    await session.flush()
    return tender


async def settled_tenders(session: AsyncSession, order: Order) -> list[OrderTender]:
    """The tenders whose money was taken (a reader payment declined is not one); refuses
    while one is still on the card reader."""
    kept = []
    for tender in await repository.tenders_of(session, order.id):
        if tender.payment_id is None:
            kept.append(tender)
            continue
        payment = await payments.get_payment(session, tender.payment_id)
        if payment.status in {"pending", "requires_action"}:
            raise PaymentInProgress(extra={"payment_id": str(payment.id)})
        if payment.status in TAKEN:
            kept.append(tender)
    return kept


async def complete_order(session: AsyncSession, order_id: UUID, actor: Principal) -> Order:
    """The order's ticket (once: a completed order answers its ticket again)."""
    order = await get_order(session, order_id, lock=True)
    if order.status == OrderStatus.completed:
        return order
    if order.status != OrderStatus.open:
        raise OrderNotOpen()
    tenders = await settled_tenders(session, order)
    due = order.total_cents - sum(t.amount_cents for t in tenders)
    if due > 0:
        raise OrderNotPaid(f"{due} cents are still due.", extra={"due_cents": due})
    lines = await repository.lines_of(session, order.id)
    if order.promo_code:
        await coupons.settle(session, "order", order.id, used=True)
    if not order.training:
        await _stock_out(session, order, lines, actor)
        if order.booking_id is not None:
            await bookings.complete_at_till(session, order.booking_id, actor_user_id=actor.user_id)
    ticket = await build_ticket(session, order, lines, tenders)
    ref = await journal.append(
        session,
        journal.RecordKind.ticket,
        ticket,
        register_id=order.register_id,
        training=order.training,
    )
    if not order.training:
        sold = [
            SoldTender(
                method=t.method,
                amount_cents=t.amount_cents,
                payment_id=t.payment_id,
                tip_cents=t.tip_cents,
            )
            for t in tenders
        ]
        tips = tips_owed(lines, tenders)
        event = issued_event(order, lines, ticket, sold, tips, record_id=ref.id)
        await outbox.enqueue(session, TOPIC_TICKET_ISSUED, event)
    order.status, order.completed_at = OrderStatus.completed, ticket.issued_at
    order.updated_at = ticket.issued_at
    order.ticket_record_id, order.ticket_number = ref.id, ticket.number
    await session.flush()
    return order


async def _stock_out(
    session: AsyncSession, order: Order, lines: list[OrderLine], actor: Principal
) -> None:
    sold = [
        stock.StockLine(line.product_id, line.quantity)
        for line in lines
        if line.kind == LineKind.product and line.product_id is not None
    ]
    if sold:
        await stock.record_sale(
            session,
            sold,
            reference_kind="order",
            reference_id=order.id,
            actor_user_id=actor.user_id,
        )


async def ticket_number(session: AsyncSession, *, credit: bool, training: bool, year: int) -> str:
    """The next number of the series: T2026-000001, credit tickets TA2026-000001, training
    ones FORM-… (their own series: the real ones stay without gaps)."""
    prefix = ("TA" if credit else "T") + str(year)
    series = f"{'training-' if training else ''}{'credit' if credit else 'ticket'}-{year}"
    number = await next_number(session, series)
    return f"{'FORM-' if training else ''}{prefix}-{number:06d}"


async def _names(session: AsyncSession, lines: list[OrderLine]) -> dict[UUID, str]:
    ids = {line.practitioner_id for line in lines if line.practitioner_id is not None}
    return await practitioners.practitioner_names(session, ids)


async def client_name(session: AsyncSession, order: Order) -> str | None:
    if order.client_id is None or not order.print_client_name:
        return None
    client = await clients.get_client(session, order.client_id)
    return f"{client.first_name} {client.last_name}".strip() or None


def ticket_line(
    line: OrderLine, quantity: int, discount: int, names: dict[UUID, str]
) -> journal.TicketLine:
    priced = pricing.Priced(quantity, line.unit_price_cents, line.vat_rate, discount)
    who = names.get(line.practitioner_id) if line.practitioner_id else None
    return journal.TicketLine(
        label=line.label,
        quantity=quantity,
        unit_price_cents=line.unit_price_cents,
        total_excl_vat_cents=priced.excl_vat_cents,
        vat_rate=line.vat_rate,
        practitioners=(who,) if who and line.kind == LineKind.service else (),
        item_kind=line.kind if line.kind in {LineKind.service, LineKind.product} else None,
        item_id=line.service_id or line.product_id or line.package_offer_id,
        practitioner_ids=(line.practitioner_id,) if line.practitioner_id else (),
        discount_cents=discount,
        discount_reason=line.discount_reason if discount else None,
    )


def vat_of(lines: list[journal.TicketLine]) -> tuple[int, tuple[journal.VatAmount, ...], int]:
    priced = [
        pricing.Priced(line.quantity, line.unit_price_cents, line.vat_rate, line.discount_cents)
        for line in lines
    ]
    total = pricing.totals(priced)
    vat = tuple(
        journal.VatAmount(rate=r.rate, base_cents=r.base_cents, vat_cents=r.vat_cents)
        for r in total.by_rate
    )
    return total.excl_vat_cents, vat, total.incl_vat_cents


async def build_ticket(
    session: AsyncSession,
    order: Order,
    lines: list[OrderLine],
    tenders: list[OrderTender],
) -> journal.TicketPayload:
    """The ticket as the journal will sign it: every amount computed here, from the lines."""
    names = await _names(session, lines)
    ticket_lines = [ticket_line(line, line.quantity, line.discount_cents, names) for line in lines]
    excl, vat, incl = vat_of(ticket_lines)
    by_method: dict[str, int] = {}
    for tender in tenders:
        by_method[tender.method] = (
            by_method.get(tender.method, 0) + tender.amount_cents + tender.change_cents
        )
    issued_at = utcnow()
    payload = journal.TicketPayload(
        number=await ticket_number(
            session, credit=False, training=order.training, year=issued_at.year
        ),
        issued_at=issued_at,
        till=await till_name(session, order.register_id),
        lines=tuple(ticket_lines),
        total_excl_vat_cents=excl,
        vat=vat,
        total_incl_vat_cents=incl,
        tenders=tuple(
            journal.TenderAmount(method=journal.TenderMethod(m), amount_cents=a)
            for m, a in by_method.items()
        ),
        change_cents=sum(t.change_cents for t in tenders),
        order_id=order.id,
        client_name=await client_name(session, order),
    )
    return payload


async def till_name(session: AsyncSession, register_id: UUID) -> str:
    register = await repository.get_register(session, register_id)
    return register.name if register is not None else "Caisse"


def tips_owed(lines: list[OrderLine], tenders: list[OrderTender]) -> list[TipOwed]:
    """The tips, split between the practitioners of the services by their prices."""
    shares: dict[UUID, int] = {}
    for line in lines:
        if line.kind == LineKind.service and line.practitioner_id is not None:
            amount = line.quantity * line.unit_price_cents
            shares[line.practitioner_id] = shares.get(line.practitioner_id, 0) + amount
    total = sum(t.tip_cents for t in tenders)
    if not total or not any(shares.values()):
        return []
    parts = split(total, list(shares.values()))
    return [TipOwed(practitioner_id=p, amount_cents=c) for p, c in zip(shares, parts, strict=True)]


def issued_event(
    order: Order,
    lines: list[OrderLine],
    ticket: journal.TicketPayload,
    tenders: list[SoldTender],
    tips: list[TipOwed],
    *,
    record_id: UUID,
    kind: str = "ticket",
) -> TicketIssued:
    """What the accounting needs of a ticket (or a credit ticket: minus amounts)."""
    return TicketIssued(
        kind=kind,
        journal_record_id=record_id,
        number=ticket.number,
        issued_at=ticket.issued_at.isoformat(),
        order_id=order.id,
        booking_id=order.booking_id,
        client_id=order.client_id,
        corrects_number=ticket.corrects.number if ticket.corrects else None,
        lines=[
            SoldLine(
                kind=line.kind,
                item_id=line.service_id or line.product_id or line.package_offer_id,
                label=line.label,
                quantity=printed.quantity,
                amount_incl_vat_cents=printed.amount_incl_vat_cents,
                amount_excl_vat_cents=printed.total_excl_vat_cents,
                vat_rate=line.vat_rate,
                practitioner_id=line.practitioner_id,
                from_booking=line.from_booking,
            )
            for line, printed in zip(lines, ticket.lines, strict=True)
        ],
        total_excl_vat_cents=ticket.total_excl_vat_cents,
        total_incl_vat_cents=ticket.total_incl_vat_cents,
        tenders=tenders,
        tips=tips,
    )
