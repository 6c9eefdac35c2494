"""Every query on the payments tables that a service or a route needs more than once, or that
a route would otherwise write itself."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.payables import Subject
from app.payments.models import (
    TAKEN,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Payout,
    PayoutLine,
    ProviderCustomer,
    ProviderEvent,
    Refund,
    RefundStatus,
    SavedCard,
    SavedCardStatus,
)

# What pays for the subject itself (a tip alone or a no-show fee does not).
FOR_THE_SUBJECT = (PaymentPurpose.deposit, PaymentPurpose.balance, PaymentPurpose.full)


def _of(subject: Subject) -> list[Any]:
    kind, subject_id = subject
    return [Payment.subject_kind == kind, Payment.subject_id == subject_id]


async def payments_of(
    session: AsyncSession,
    subject: Subject,
    *,
    purposes: Collection[str],
    statuses: Collection[PaymentStatus],
    exclude: UUID | None = None,
) -> list[Payment]:
    """The subject's payments of these purposes and statuses, oldest first."""
    statement = select(Payment).where(
        *_of(subject), Payment.purpose.in_(list(purposes)), Payment.status.in_(list(statuses))
    )
    if exclude is not None:
        statement = statement.where(Payment.id != exclude)
    return list(await session.scalars(statement.order_by(Payment.created_at)))


async def balance_rows(session: AsyncSession, subject: Subject) -> list[Any]:
    """(id, status, amount, tip, refunded) of every payment towards the subject itself."""
    statement = select(
        Payment.id, Payment.status, Payment.amount_cents, Payment.tip_cents, Payment.refunded_cents
    ).where(*_of(subject), Payment.purpose.in_(FOR_THE_SUBJECT))
    return list((await session.execute(statement)).all())


async def undone_cents(session: AsyncSession, subject: Subject) -> dict[UUID, int]:
    """Per payment of the subject, what automatic refunds gave back."""
    rows = await session.execute(
        select(Refund.payment_id, func.sum(Refund.amount_cents))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(*_of(subject), Refund.automatic.is_(True), Refund.status == RefundStatus.succeeded)
        .group_by(Refund.payment_id)
    )
    return {payment_id: int(total) for payment_id, total in rows}


async def taken_for_refund(session: AsyncSession, subject: Subject) -> list[Payment]:
    """The subject's taken payments but no-show fees, locked, oldest first."""
    return list(
        await session.scalars(
            select(Payment)
            .where(*_of(subject), Payment.status.in_(TAKEN))
            .where(Payment.purpose != PaymentPurpose.no_show_fee)
            .order_by(Payment.created_at)
            .with_for_update()
        )
    )


async def customer_ref(session: AsyncSession, client_id: UUID, provider: str | None) -> str | None:
    return await session.scalar(
        select(ProviderCustomer.customer_ref).where(
            ProviderCustomer.client_id == client_id, ProviderCustomer.provider == provider
        )
    )


async def latest_active_card(session: AsyncSession, client_id: UUID) -> SavedCard | None:
    return await session.scalar(
        select(SavedCard)
        .where(SavedCard.client_id == client_id, SavedCard.status == SavedCardStatus.active)
        .order_by(SavedCard.consented_at.desc())
        .limit(1)
    )


async def active_cards(session: AsyncSession, client_id: UUID) -> list[SavedCard]:
    return list(
        await session.scalars(
            select(SavedCard)
            .where(SavedCard.client_id == client_id, SavedCard.status == SavedCardStatus.active)
            .order_by(SavedCard.consented_at.desc())
        )
    )


async def saved_card(session: AsyncSession, card_id: UUID, *, lock: bool) -> SavedCard | None:
    return await session.get(SavedCard, card_id, with_for_update=lock)


def provider_events_query(*, provider: str | None, outcome: str | None) -> Select[Any]:
    statement = select(ProviderEvent)
    if provider:
        statement = statement.where(ProviderEvent.provider == provider)
    if outcome:
        statement = statement.where(ProviderEvent.outcome == outcome)
    return statement


def payouts_query(
    *, provider: str | None, status: str | None, date_from: date | None, date_to: date | None
) -> Select[Any]:
    """Payouts by provider, status and arrival date (inclusive)."""
    statement = select(Payout)
    if provider:
        statement = statement.where(Payout.provider == provider)
    if status:
        statement = statement.where(Payout.status == status)
    if date_from:
        statement = statement.where(Payout.arrival_date >= date_from)
    if date_to:
        statement = statement.where(Payout.arrival_date <= date_to)
    return statement


async def payout_lines(
    session: AsyncSession, payout_ids: Collection[UUID]
) -> dict[UUID, list[PayoutLine]]:
    found: dict[UUID, list[PayoutLine]] = {payout_id: [] for payout_id in payout_ids}
    rows = await session.scalars(
        select(PayoutLine)
        .where(PayoutLine.payout_id.in_(list(payout_ids)))
        .order_by(PayoutLine.payout_id, PayoutLine.position)
    )
    for line in rows:
        found[line.payout_id].append(line)
    return found


def not_paid_out(methods: Collection[str], *, start: datetime, end: datetime) -> Select[Any]:
    """Taken payments of these methods in [start, end) that no paid payout carried."""
    carried = (
        select(PayoutLine.id)
        .join(Payout, Payout.id == PayoutLine.payout_id)
        .where(PayoutLine.payment_id == Payment.id, Payout.status == "paid")
        .exists()
    )
    return select(Payment).where(
        Payment.method.in_(list(methods)),
        Payment.status.in_(TAKEN),
        Payment.succeeded_at >= start,
        Payment.succeeded_at < end,
        ~carried,
    )
