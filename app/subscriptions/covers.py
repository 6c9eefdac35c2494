"""A membership's allowance covers bookings (`app/core/coverage.py`, kind "subscription",
asked before packages): one session of the period holding the visit's start is reserved when
an included service is booked, used when the visit is completed, given back by a timely
cancellation, kept or given back by the plan's policy after a late cancellation or a no-show.

Only an active membership covers (past_due too, until the dunning suspends it); a paused,
suspended, cancelled or incomplete one covers nothing. A visit after the paid period is not
covered (its period's allowance opens only when that period is paid)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import coverage
from app.core.clock import utcnow
from app.core.ids import new_id
from app.subscriptions.models import (
    AllowanceUse,
    PeriodAllowance,
    Subscription,
    SubscriptionPlan,
    SubscriptionStatus,
    UseStatus,
)

COVERING = (SubscriptionStatus.active, SubscriptionStatus.past_due)


@coverage.coverer("subscription", rank=10)
class MembershipCoverer(coverage.Coverer):
    async def reserve(self, session: AsyncSession, ask: coverage.Ask) -> coverage.Cover | None:
        left = (
            PeriodAllowance.granted
            + PeriodAllowance.carried_in
            - PeriodAllowance.reserved
            - PeriodAllowance.used
        )
        # FOR UPDATE OF the allowance: the last session of the period goes to one booking.
        found = (
            await session.execute(
                select(PeriodAllowance, SubscriptionPlan.name)
                .join(Subscription, Subscription.id == PeriodAllowance.subscription_id)
                .join(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
                .where(
                    Subscription.client_id == ask.client_id,
                    Subscription.status.in_(COVERING),
                    PeriodAllowance.service_id == ask.service_id,
                    PeriodAllowance.period_start_at <= ask.start_at,
                    PeriodAllowance.period_end_at > ask.start_at,
                    left > 0,
                )
                .order_by(PeriodAllowance.period_end_at, PeriodAllowance.id)
                .limit(1)
                .with_for_update(of=PeriodAllowance)
            )
        ).first()
        if found is None:
            return None
        allowance, plan_name = found
        now = utcnow()
        allowance.reserved += 1
        session.add(
            AllowanceUse(
                id=new_id(),
                allowance_id=allowance.id,
                booking_id=ask.booking_id,
                service_id=ask.service_id,
                position=ask.position,
                status=UseStatus.reserved,
                start_at=ask.start_at,
                reserved_at=now,
            )
        )
        return coverage.Cover("subscription", allowance.id, plan_name)

    async def settle(
        self, session: AsyncSession, booking_id: UUID, outcome: coverage.Outcome
    ) -> None:
        uses = list(
            await session.scalars(
                select(AllowanceUse)
                .where(
                    AllowanceUse.booking_id == booking_id, AllowanceUse.status == UseStatus.reserved
                )
                .order_by(AllowanceUse.allowance_id, AllowanceUse.position)
                .with_for_update()
            )
        )
        now = utcnow()
        for use in uses:
            allowance = await session.get(PeriodAllowance, use.allowance_id, with_for_update=True)
            if allowance is None:
                continue
            plan = await session.scalar(
                select(SubscriptionPlan)
                .join(Subscription, Subscription.plan_id == SubscriptionPlan.id)
                .where(Subscription.id == allowance.subscription_id)
            )
            forfeits = _forfeits(plan, outcome)
            allowance.reserved -= 1
            use.settled_at = now
            if forfeits is False:
                use.status = UseStatus.released
                allowance.returned += 1
            else:
                allowance.used += 1
                use.status = UseStatus.used if forfeits is None else UseStatus.forfeited
        await session.flush()


def _forfeits(plan: SubscriptionPlan | None, outcome: coverage.Outcome) -> bool | None:
    """True: the session is kept; False: given back; None: used."""
    if outcome is coverage.Outcome.completed:
        return None
    if outcome is coverage.Outcome.cancelled_late:
        return plan.late_cancellation_forfeits if plan else True
    if outcome is coverage.Outcome.no_show:
        return plan.no_show_forfeits if plan else True
    return False
