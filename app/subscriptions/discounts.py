"""A member's discounts at the till (`app/core/member_discounts.py`): the plan's percentages
while her membership is active or past due (a paused, suspended or ended one gives none)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import member_discounts
from app.subscriptions.models import Subscription, SubscriptionPlan, SubscriptionStatus

COVERING = (SubscriptionStatus.active, SubscriptionStatus.past_due)


@member_discounts.provides("subscription")
async def discount_of(
    session: AsyncSession, client_id: UUID
) -> member_discounts.MemberDiscount | None:
    row = (
        await session.execute(
            select(
                SubscriptionPlan.name,
                SubscriptionPlan.product_discount_percent,
                SubscriptionPlan.service_discount_percent,
            )
            .join(Subscription, Subscription.plan_id == SubscriptionPlan.id)
            .where(Subscription.client_id == client_id, Subscription.status.in_(COVERING))
            .order_by(
                (
                    SubscriptionPlan.product_discount_percent
                    + SubscriptionPlan.service_discount_percent
                ).desc()
            )
            .limit(1)
        )
    ).first()
    if row is None or (row[1] == 0 and row[2] == 0):
        return None
    return member_discounts.MemberDiscount(row[1], row[2], str(row[0])[:200])
