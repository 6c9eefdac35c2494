"""An order as the point-of-sale screen shows it: its lines with their VAT, the tenders and
where their payments stand, what is left to pay, its ticket once completed."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.payments import public as payments
from app.sales import pricing, repository
from app.sales.models import Order, OrderLine, OrderTender
from app.sales.orders import get_order

# A tender's money was taken: its payment's status (a training tender's: "recorded").
TAKEN = frozenset({"succeeded", "partially_refunded", "refunded", "recorded"})


@dataclass(frozen=True, slots=True)
class TenderView:
    tender: OrderTender
    payment_status: str  # the payment's, or "recorded" (a training tender)


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    lines: list[OrderLine]
    tenders: list[TenderView]
    totals: pricing.Totals
    paid_cents: int  # the tenders whose money was taken, what was paid online included
    due_cents: int
    change_cents: int
    tips_cents: int


def priced(line: OrderLine) -> pricing.Priced:
    return pricing.Priced(line.quantity, line.unit_price_cents, line.vat_rate, line.discount_cents)


async def _status(session: AsyncSession, tender: OrderTender) -> str:
    if tender.payment_id is None:
        return "recorded"
    return str((await payments.get_payment(session, tender.payment_id)).status)


async def order_view(session: AsyncSession, order: Order) -> OrderView:
    lines = await repository.lines_of(session, order.id)
    tenders = [
        TenderView(t, await _status(session, t))
        for t in await repository.tenders_of(session, order.id)
    ]
    taken = [t.tender for t in tenders if t.payment_status in TAKEN]
    paid = sum(t.amount_cents for t in taken)
    return OrderView(
        order=order,
        lines=lines,
        tenders=tenders,
        totals=pricing.totals([priced(line) for line in lines]),
        paid_cents=paid,
        due_cents=max(order.total_cents - paid, 0) if order.status == "open" else 0,
        change_cents=sum(t.change_cents for t in taken),
        tips_cents=sum(t.tip_cents for t in taken),
    )


async def view_of(session: AsyncSession, order_id: UUID) -> OrderView:
    return await order_view(session, await get_order(session, order_id))
