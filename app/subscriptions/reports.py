"""Membership figures for the manager: MRR (monthly equivalent of active and past-due
memberships, VAT included), members per plan, churn over a period, and the allowance used
against what was sold. Recovered vs lost revenue is the dunning's report."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.subscriptions.models import (
    PeriodAllowance,
    Subscription,
    SubscriptionPlan,
    SubscriptionStatus,
)
from app.subscriptions.schemas import PlanCount, ReportOut

PAYING = (SubscriptionStatus.active, SubscriptionStatus.past_due)


async def summary(session: AsyncSession, *, start: datetime, end: datetime) -> ReportOut:
    monthly = case(
        (SubscriptionPlan.interval == "year", SubscriptionPlan.price_cents / 12),
        else_=SubscriptionPlan.price_cents,
    )
    mrr = await session.scalar(
        select(func.coalesce(func.sum(monthly), 0))
        .select_from(Subscription)
        .join(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
        .where(Subscription.status.in_(PAYING))
    )
    per_plan = await session.execute(
        select(SubscriptionPlan.id, SubscriptionPlan.name, func.count(Subscription.id))
        .join(Subscription, Subscription.plan_id == SubscriptionPlan.id)
        .where(Subscription.status.in_(PAYING))
        .group_by(SubscriptionPlan.id, SubscriptionPlan.name)
        .order_by(SubscriptionPlan.name)
    )
    started = Subscription.current_period_start_at.is_not(None)
    at_start = await session.scalar(
        select(func.count(Subscription.id)).where(
            started,
            Subscription.created_at < start,
            or_(Subscription.cancelled_at.is_(None), Subscription.cancelled_at >= start),
        )
    )
    lost = await session.scalar(
        select(func.count(Subscription.id)).where(
            started, and_(Subscription.cancelled_at >= start, Subscription.cancelled_at < end)
        )
    )
    sold, used = (
        await session.execute(
            select(
                func.coalesce(func.sum(PeriodAllowance.granted), 0),
                func.coalesce(func.sum(PeriodAllowance.used), 0),
            ).where(PeriodAllowance.period_start_at >= start, PeriodAllowance.period_start_at < end)
        )
    ).one()
    base = int(at_start or 0)
    churn = Decimal(int(lost or 0) * 100) / base if base else Decimal(0)
    return ReportOut(
        mrr_cents=int(Decimal(mrr or 0).quantize(Decimal(1), ROUND_HALF_UP)),
        members_by_plan=[PlanCount(plan_id=p, plan_name=n, active=c) for p, n, c in per_plan],
        active_at_start=base,
        cancelled_in_period=int(lost or 0),
        churn_percent=churn.quantize(Decimal("0.01"), ROUND_HALF_UP),
        entitlements_sold=int(sold),
        entitlements_used=int(used),
    )
