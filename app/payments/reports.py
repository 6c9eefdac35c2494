"""What staff read: payments by filter, one payment's story, the day's totals per method,
and the tips owed to each practitioner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.timeutils import local_day_span, zone
from app.payments.models import (
    TAKEN,
    Payment,
    PaymentLog,
    ProviderEvent,
    Refund,
    RefundStatus,
    Tip,
)


def payments_query(
    *,
    start: datetime | None,
    end: datetime | None,
    method: str | None,
    status: str | None,
    client_id: UUID | None,
    booking_id: UUID | None,
) -> Select[Any]:
    statement = select(Payment)
    if start is not None:
        statement = statement.where(Payment.created_at >= start)
    if end is not None:
        statement = statement.where(Payment.created_at < end)
    if method:
        statement = statement.where(Payment.method == method)
    if status:
        statement = statement.where(Payment.status == status)
    if client_id:
        statement = statement.where(Payment.client_id == client_id)
    if booking_id:
        statement = statement.where(Payment.booking_id == booking_id)
    return statement


async def payment_story(
    session: AsyncSession, payment_id: UUID
) -> tuple[list[Refund], list[PaymentLog], list[ProviderEvent], list[Tip]]:
    refunds = await session.scalars(
        select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.created_at)
    )
    logs = await session.scalars(
        select(PaymentLog).where(PaymentLog.payment_id == payment_id).order_by(PaymentLog.at)
    )
    events = await session.scalars(
        select(ProviderEvent)
        .where(ProviderEvent.payment_id == payment_id)
        .order_by(ProviderEvent.received_at)
    )
    tips = await session.scalars(select(Tip).where(Tip.payment_id == payment_id))
    return list(refunds), list(logs), list(events), list(tips)


@dataclass(slots=True)
class MethodTotals:
    method: str
    count: int = 0
    taken_cents: int = 0
    tips_cents: int = 0
    refunded_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.taken_cents - self.refunded_cents


@dataclass(slots=True)
class DaySummary:
    day: date
    methods: list[MethodTotals] = field(default_factory=list)

    def net(self, method: str) -> int:
        return sum(m.net_cents for m in self.methods if m.method == method)


async def day_summary(session: AsyncSession, day: date) -> DaySummary:
    """Money in and out on one salon day, per method: what the cash drawer should hold and
    what SumUp should pay out (before its fees)."""
    start, end = local_day_span(day, zone())
    totals: dict[str, MethodTotals] = {}
    taken = await session.execute(
        select(
            Payment.method,
            func.count(),
            func.sum(Payment.amount_cents),
            func.sum(Payment.tip_cents),
        )
        .where(Payment.succeeded_at >= start, Payment.succeeded_at < end)
        .where(Payment.status.in_(TAKEN))
        .group_by(Payment.method)
    )
    for method, count, amount, tips in taken:
        totals[method] = MethodTotals(method, count, int(amount), int(tips))
    refunded = await session.execute(
        select(Payment.method, func.sum(Refund.amount_cents))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.status == RefundStatus.succeeded)
        .where(Refund.completed_at >= start, Refund.completed_at < end)
        .group_by(Payment.method)
    )
    for method, amount in refunded:
        totals.setdefault(method, MethodTotals(method)).refunded_cents = int(amount)
    return DaySummary(day, sorted(totals.values(), key=lambda m: m.method))


@dataclass(frozen=True, slots=True)
class TipsOwed:
    practitioner_id: UUID
    count: int
    amount_cents: int


async def tips_owed(
    session: AsyncSession, *, practitioner_id: UUID | None, until: datetime | None
) -> list[TipsOwed]:
    statement = (
        select(Tip.practitioner_id, func.count(), func.sum(Tip.amount_cents))
        .where(Tip.paid_out_at.is_(None))
        .group_by(Tip.practitioner_id)
        .order_by(Tip.practitioner_id)
    )
    if practitioner_id:
        statement = statement.where(Tip.practitioner_id == practitioner_id)
    if until:
        statement = statement.where(Tip.created_at < until)
    rows = await session.execute(statement)
    return [TipsOwed(pid, count, int(amount)) for pid, count, amount in rows]


async def pay_out_tips(
    session: AsyncSession, *, practitioner_id: UUID, until: datetime | None, staff_user_id: UUID
) -> TipsOwed:
    """Mark a practitioner's unpaid tips (up to `until`) as handed over."""
    statement = (
        select(Tip)
        .where(Tip.practitioner_id == practitioner_id, Tip.paid_out_at.is_(None))
        .with_for_update()
    )
    if until:
        statement = statement.where(Tip.created_at < until)
    tips = list(await session.scalars(statement))
    now = utcnow()
    for tip in tips:
        tip.paid_out_at, tip.paid_out_by_user_id = now, staff_user_id
    return TipsOwed(practitioner_id, len(tips), sum(t.amount_cents for t in tips))
