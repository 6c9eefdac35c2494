"""Plans: what the salon sells, and their Stripe Product and Price (made by us, never by hand
in Stripe). A new amount or interval is a new Price and the old one is archived: Stripe
Prices are immutable, and members on the old Price keep it until they change plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.catalog import public as catalog
from app.core.clock import utcnow
from app.core.ids import new_id
from app.subscriptions import repository
from app.subscriptions.billing import billing
from app.subscriptions.errors import PlanNotFound, UnknownServices
from app.subscriptions.models import PlanAllowance, SubscriptionPlan

_TERMS = (
    "name",
    "description",
    "interval",
    "price_cents",
    "vat_rate",
    "carry_over",
    "max_carry_over",
    "product_discount_percent",
    "service_discount_percent",
    "commitment_months",
    "cancellation_notice_days",
    "client_may_pause",
    "client_may_cancel",
    "max_pause_months",
    "late_cancellation_forfeits",
    "no_show_forfeits",
    "is_active",
)


@dataclass(frozen=True, slots=True)
class PlanTerms:
    name: str
    interval: str
    price_cents: int
    vat_rate: Decimal
    allowances: dict[UUID, int] = field(default_factory=dict)  # service -> sessions per period
    description: str | None = None
    carry_over: bool = False
    max_carry_over: int = 0
    product_discount_percent: int = 0
    service_discount_percent: int = 0
    commitment_months: int = 0
    cancellation_notice_days: int = 0
    client_may_pause: bool = True
    client_may_cancel: bool = True
    max_pause_months: int = 3
    late_cancellation_forfeits: bool = True
    no_show_forfeits: bool = True
    is_active: bool = True


async def get_plan(session: AsyncSession, plan_id: UUID, *, lock: bool = False) -> SubscriptionPlan:
    found = await repository.plan(session, plan_id, lock=lock)
    if found is None:
        raise PlanNotFound()
    return found


async def _check_services(session: AsyncSession, ids: set[UUID]) -> None:
    if ids - await catalog.existing_service_ids(session, ids):
        raise UnknownServices()


async def _set_allowances(
    session: AsyncSession, plan: SubscriptionPlan, wanted: dict[UUID, int]
) -> None:
    await _check_services(session, set(wanted))
    await session.execute(delete(PlanAllowance).where(PlanAllowance.plan_id == plan.id))
    for service_id, sessions in sorted(wanted.items()):
        session.add(
            PlanAllowance(
                id=new_id(), plan_id=plan.id, service_id=service_id, sessions_per_period=sessions
            )
        )


async def _sync_stripe(plan: SubscriptionPlan, *, price_changed: bool) -> None:
    """Product named as the plan; a Price for its amount and interval (the old one archived)."""
    adapter = billing()
    plan.stripe_product_id = await adapter.ensure_product(
        plan_id=str(plan.id), name=plan.name, ref=plan.stripe_product_id
    )
    if price_changed or plan.stripe_price_id is None:
        old = plan.stripe_price_id
        plan.stripe_price_id = await adapter.create_price(
            product_ref=plan.stripe_product_id,
            amount_cents=plan.price_cents,
            interval=plan.interval,
            key=f"plan-{plan.id}-price-{new_id().hex}",
        )
        if old:
            await adapter.archive_price(old)


async def create_plan(
    session: AsyncSession, terms: PlanTerms, *, actor_user_id: UUID | None
) -> SubscriptionPlan:
    now = utcnow()
    plan = SubscriptionPlan(
        id=new_id(), created_at=now, updated_at=now, **{k: getattr(terms, k) for k in _TERMS}
    )
    session.add(plan)
    await session.flush()
    await _set_allowances(session, plan, terms.allowances)
    await _sync_stripe(plan, price_changed=True)
    await record_audit(
        session,
        "subscription_plan.created",
        actor_user_id=actor_user_id,
        subject_type="subscription_plan",
        subject_id=plan.id,
        data={"name": plan.name, "price_cents": plan.price_cents},
    )
    return plan


async def update_plan(
    session: AsyncSession,
    plan: SubscriptionPlan,
    changes: dict[str, Any],
    *,
    actor_user_id: UUID | None,
) -> SubscriptionPlan:
    """Change a plan. Members keep their Price until they change plan; the included services
    and discounts apply to everyone from the next period."""
    price_changed = any(
        key in changes and changes[key] != getattr(plan, key) for key in ("price_cents", "interval")
    )
    for key in _TERMS:
        if key in changes:
            setattr(plan, key, changes[key])
    if "allowances" in changes:
        await _set_allowances(session, plan, changes["allowances"])
    plan.updated_at = utcnow()
    await _sync_stripe(plan, price_changed=price_changed)
    await record_audit(
        session,
        "subscription_plan.updated",
        actor_user_id=actor_user_id,
        subject_type="subscription_plan",
        subject_id=plan.id,
        data={k: str(v) for k, v in changes.items() if k != "allowances"},
    )
    return plan


async def plans(session: AsyncSession, *, active_only: bool) -> list[SubscriptionPlan]:
    query = select(SubscriptionPlan).order_by(SubscriptionPlan.price_cents, SubscriptionPlan.id)
    if active_only:
        query = query.where(SubscriptionPlan.is_active.is_(True))
    return list(await session.scalars(query))


async def allowances_of(session: AsyncSession, plan_ids: list[UUID]) -> dict[UUID, dict[UUID, int]]:
    found: dict[UUID, dict[UUID, int]] = {plan_id: {} for plan_id in plan_ids}
    for row in await repository.allowances(session, plan_ids):
        found[row.plan_id][row.service_id] = row.sessions_per_period
    return found
