"""The allowance of each paid period: the plan's sessions per service, plus what the
previous period left when the plan carries it over (at most `max_carry_over` per service).
Opened once per (membership, service, period start), however often `invoice.paid` comes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.ids import new_id
from app.subscriptions import repository
from app.subscriptions.models import PeriodAllowance, Subscription, SubscriptionPlan


async def _previous(
    session: AsyncSession, subscription_id: UUID, before: datetime
) -> dict[UUID, PeriodAllowance]:
    rows = await session.scalars(
        select(PeriodAllowance)
        .where(
            PeriodAllowance.subscription_id == subscription_id,
            PeriodAllowance.period_start_at < before,
        )
        .order_by(PeriodAllowance.period_start_at.desc())
    )
    found: dict[UUID, PeriodAllowance] = {}
    for row in rows:
        found.setdefault(row.service_id, row)
    return found


async def open_period(
    session: AsyncSession,
    subscription: Subscription,
    plan: SubscriptionPlan,
    *,
    start: datetime,
    end: datetime,
    invoice_id: UUID | None,
) -> int:
    """Open the period's allowances; answers how many rows were new."""
    previous = await _previous(session, subscription.id, start) if plan.carry_over else {}
    opened = 0
    for row in await repository.allowances(session, [plan.id]):
        before = previous.get(row.service_id)
        carried = min(max(before.remaining, 0), plan.max_carry_over) if before else 0
        inserted = await session.scalar(
            insert(PeriodAllowance)
            .values(
                id=new_id(),
                subscription_id=subscription.id,
                service_id=row.service_id,
                invoice_id=invoice_id,
                period_start_at=start,
                period_end_at=end,
                granted=row.sessions_per_period,
                carried_in=carried,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(
                index_elements=["subscription_id", "service_id", "period_start_at"]
            )
            .returning(PeriodAllowance.id)
        )
        opened += inserted is not None
    return opened
