"""Every query on the subscriptions tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.subscriptions.models import (
    PeriodAllowance,
    PlanAllowance,
    Subscription,
    SubscriptionEvent,
    SubscriptionInvoice,
    SubscriptionPlan,
)


async def plan(
    session: AsyncSession, plan_id: UUID, *, lock: bool = False
) -> SubscriptionPlan | None:
    query = select(SubscriptionPlan).where(SubscriptionPlan.id == plan_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def allowances(session: AsyncSession, plan_ids: Sequence[UUID]) -> list[PlanAllowance]:
    rows = await session.scalars(
        select(PlanAllowance)
        .where(PlanAllowance.plan_id.in_(plan_ids))
        .order_by(PlanAllowance.plan_id, PlanAllowance.service_id)
    )
    return list(rows)


async def subscription(
    session: AsyncSession, subscription_id: UUID, *, lock: bool = False
) -> Subscription | None:
    query = select(Subscription).where(Subscription.id == subscription_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def by_stripe_ref(
    session: AsyncSession, ref: str, *, lock: bool = True
) -> Subscription | None:
    query = select(Subscription).where(Subscription.stripe_subscription_id == ref)
    return await session.scalar(query.with_for_update() if lock else query)


async def of_client(session: AsyncSession, client_id: UUID) -> list[Subscription]:
    rows = await session.scalars(
        select(Subscription)
        .where(Subscription.client_id == client_id)
        .order_by(Subscription.created_at.desc(), Subscription.id)
    )
    return list(rows)


async def invoice_by_ref(
    session: AsyncSession, ref: str, *, lock: bool = True
) -> SubscriptionInvoice | None:
    query = select(SubscriptionInvoice).where(SubscriptionInvoice.stripe_invoice_id == ref)
    return await session.scalar(query.with_for_update() if lock else query)


async def invoices(session: AsyncSession, subscription_id: UUID) -> list[SubscriptionInvoice]:
    rows = await session.scalars(
        select(SubscriptionInvoice)
        .where(SubscriptionInvoice.subscription_id == subscription_id)
        .order_by(SubscriptionInvoice.created_at.desc(), SubscriptionInvoice.id)
    )
    return list(rows)


async def open_invoice(session: AsyncSession, subscription_id: UUID) -> SubscriptionInvoice | None:
    """The latest invoice still owed (open or failed)."""
    return await session.scalar(
        select(SubscriptionInvoice)
        .where(
            SubscriptionInvoice.subscription_id == subscription_id,
            SubscriptionInvoice.status.in_(("open", "failed")),
        )
        .order_by(SubscriptionInvoice.created_at.desc(), SubscriptionInvoice.id)
        .limit(1)
        .with_for_update()
    )


async def timeline(session: AsyncSession, subscription_id: UUID) -> list[SubscriptionEvent]:
    rows = await session.scalars(
        select(SubscriptionEvent)
        .where(SubscriptionEvent.subscription_id == subscription_id)
        .order_by(SubscriptionEvent.at, SubscriptionEvent.id)
    )
    return list(rows)


async def period_allowances(
    session: AsyncSession, subscription_id: UUID, *, at: datetime | None = None
) -> list[PeriodAllowance]:
    """The allowances of the period holding `at` (the latest period when None)."""
    query = select(PeriodAllowance).where(PeriodAllowance.subscription_id == subscription_id)
    if at is not None:
        query = query.where(
            PeriodAllowance.period_start_at <= at, PeriodAllowance.period_end_at > at
        )
    rows = await session.scalars(
        query.order_by(PeriodAllowance.period_start_at.desc(), PeriodAllowance.service_id)
    )
    found = list(rows)
    if at is None and found:
        latest = found[0].period_start_at
        found = [row for row in found if row.period_start_at == latest]
    return found
