"""What a membership reads like to its client and to staff: status, period, entitlements
left, discounts, next invoice, what she may do and from when; for staff its invoices and
timeline too."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.core.pagination import Page, PageParams, paginate
from app.subscriptions import plans, repository
from app.subscriptions.models import Subscription, SubscriptionPlan, SubscriptionStatus
from app.subscriptions.schemas import (
    EntitlementOut,
    InvoiceOut,
    MembershipDetailOut,
    MembershipOut,
    PlanOut,
    TimelineOut,
)


def _cancellable_from(sub: Subscription) -> date | None:
    return sub.commitment_end_date


async def membership(session: AsyncSession, sub: Subscription) -> MembershipOut:
    plan = await plans.get_plan(session, sub.plan_id)
    covering = sub.status in (SubscriptionStatus.active, SubscriptionStatus.past_due)
    rows = await repository.period_allowances(session, sub.id, at=utcnow()) if covering else []
    today = utcnow().date()
    committed = sub.commitment_end_date is not None and today < sub.commitment_end_date
    live = sub.status not in (SubscriptionStatus.cancelled, SubscriptionStatus.incomplete)
    next_at = None if (sub.cancel_at_period_end or not live) else sub.current_period_end_at
    return MembershipOut(
        id=sub.id,
        client_id=sub.client_id,
        plan_id=plan.id,
        plan_name=plan.name,
        status=sub.status,
        channel=sub.channel,
        current_period_start_at=sub.current_period_start_at,
        current_period_end_at=sub.current_period_end_at,
        commitment_end_date=sub.commitment_end_date,
        cancel_at_period_end=sub.cancel_at_period_end,
        pause_resumes_at=sub.pause_resumes_at,
        cancelled_at=sub.cancelled_at,
        price_cents=plan.price_cents,
        product_discount_percent=plan.product_discount_percent if covering else 0,
        service_discount_percent=plan.service_discount_percent if covering else 0,
        next_invoice_at=next_at,
        next_invoice_cents=plan.price_cents if next_at else None,
        can_pause=plan.client_may_pause and sub.status == SubscriptionStatus.active,
        can_cancel=plan.client_may_cancel and live and not committed,
        cancellable_from=_cancellable_from(sub),
        entitlements=[
            EntitlementOut(
                service_id=r.service_id,
                granted=r.granted,
                carried_in=r.carried_in,
                reserved=r.reserved,
                used=r.used,
                remaining=r.remaining,
            )
            for r in rows
        ],
        created_at=sub.created_at,
    )


async def detail(session: AsyncSession, sub: Subscription) -> MembershipDetailOut:
    base = await membership(session, sub)
    return MembershipDetailOut(
        **base.model_dump(),
        invoices=[
            InvoiceOut.model_validate(i, from_attributes=True)
            for i in await repository.invoices(session, sub.id)
        ],
        timeline=[
            TimelineOut(at=e.at, kind=e.kind, detail=e.detail)
            for e in await repository.timeline(session, sub.id)
        ],
    )


async def of_user(session: AsyncSession, user_id: UUID) -> list[MembershipOut]:
    own = await clients.client_for_user(session, user_id)
    if own is None:
        return []
    return [await membership(session, s) for s in await repository.of_client(session, own.id)]


async def listing(
    session: AsyncSession, *, page: PageParams, status: str | None
) -> Page[MembershipOut]:
    query: Select[tuple[Subscription]] = select(Subscription)
    if status is not None:
        query = query.where(Subscription.status == status)
    found = await paginate(
        session,
        query,
        order_by=(Subscription.created_at, Subscription.id),
        params=page,
        descending=True,
        to_item=lambda s: s,
    )
    return Page[MembershipOut](
        items=[await membership(session, s) for s in found.items], next_cursor=found.next_cursor
    )


async def plan_out(session: AsyncSession, plan: SubscriptionPlan) -> PlanOut:
    found = await plans.allowances_of(session, [plan.id])
    return PlanOut.of(plan, found[plan.id])


async def plans_out(session: AsyncSession, *, active_only: bool) -> list[PlanOut]:
    rows = await plans.plans(session, active_only=active_only)
    found = await plans.allowances_of(session, [p.id for p in rows])
    return [PlanOut.of(p, found[p.id]) for p in rows]
