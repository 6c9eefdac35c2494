"""Use cases of a membership: subscribe (online or at the desk), pause, resume, change plan,
cancel, a new card; each by the client where the plan allows it, or by staff. Stripe is told
first (with a deterministic idempotency key), then our row; the webhooks that follow find the
row already in that state and change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.public import record_audit
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.timeutils import zone
from app.subscriptions import notices, repository
from app.subscriptions.billing import billing
from app.subscriptions.dates import shift
from app.subscriptions.errors import (
    AlreadySubscribed,
    CommitmentNotOver,
    InvalidSubscriptionState,
    NotAllowedByPlan,
    OverrideNeedsReason,
    PauseTooLong,
    PlanNotOnSale,
    SubscriptionNotFound,
)
from app.subscriptions.models import Channel, Subscription, SubscriptionStatus
from app.subscriptions.plans import get_plan
from app.subscriptions.stripe_events import published_cancel
from app.subscriptions.timeline import record

LIVE = (SubscriptionStatus.active, SubscriptionStatus.past_due, SubscriptionStatus.suspended)
PRORATION = "create_prorations"  # credit the unused time, charge the new plan's, next invoice


@dataclass(frozen=True, slots=True)
class Started:
    subscription: Subscription
    client_secret: str | None
    publishable_key: str | None
    card_link: str | None = None


@dataclass(frozen=True, slots=True)
class Proration:
    behavior: str
    credit_cents: int  # the old plan's unused time, given back
    charge_cents: int  # the new plan's price for the rest of the period
    net_cents: int  # on the next invoice (negative: a credit)
    billed: str


async def get_subscription(
    session: AsyncSession, subscription_id: UUID, *, lock: bool = False
) -> Subscription:
    found = await repository.subscription(session, subscription_id, lock=lock)
    if found is None:
        raise SubscriptionNotFound()
    return found


async def subscribe(
    session: AsyncSession,
    *,
    client_id: UUID,
    plan_id: UUID,
    channel: Channel,
    actor_user_id: UUID | None,
) -> Started:
    """A membership waiting for its first payment: the Stripe subscription is created
    `default_incomplete`, and its first invoice's client secret goes to the site (Stripe.js
    confirms it, 3-D Secure included). It is active once `invoice.paid` arrives."""
    plan = await get_plan(session, plan_id)
    if not plan.is_active or plan.stripe_price_id is None:
        raise PlanNotOnSale()
    mine = await repository.of_client(session, client_id)
    if any(s.plan_id == plan.id and s.status in (*LIVE, SubscriptionStatus.paused) for s in mine):
        raise AlreadySubscribed()
    client = await clients.get_client(session, client_id)
    now = utcnow()
    sub = Subscription(
        id=new_id(),
        client_id=client_id,
        plan_id=plan.id,
        status=SubscriptionStatus.incomplete,
        channel=channel,
        created_by_user_id=actor_user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    await session.flush()
    adapter = billing()
    sub.stripe_customer_id = await adapter.ensure_customer(
        client_id=str(client_id), email=client.email, name=f"{client.first_name} {client.last_name}"
    )
    started = await adapter.create_subscription(
        customer_ref=sub.stripe_customer_id,
        price_ref=plan.stripe_price_id,
        subscription_id=str(sub.id),
        key=f"subscription:{sub.id}:create",
    )
    sub.stripe_subscription_id = started.ref
    await record(session, sub.id, "created", {"channel": channel, "plan": plan.name})
    return Started(sub, started.client_secret, adapter.publishable_key)


def _by_client_allowed(allowed: bool, by_client: bool) -> None:
    if by_client and not allowed:
        raise NotAllowedByPlan()


async def pause(
    session: AsyncSession,
    sub: Subscription,
    *,
    months: int,
    by_client: bool,
    actor_user_id: UUID | None,
) -> Subscription:
    """No charge and no entitlement for `months` months (Stripe voids the invoices meanwhile
    and resumes by itself at the date)."""
    plan = await get_plan(session, sub.plan_id)
    _by_client_allowed(plan.client_may_pause, by_client)
    if sub.status != SubscriptionStatus.active:
        raise InvalidSubscriptionState()
    if months < 1 or (by_client and months > plan.max_pause_months):
        raise PauseTooLong()
    # From the end of the period already paid for: no period is cut short.
    resumes = shift(sub.current_period_end_at or utcnow(), months)
    await billing().pause(_ref(sub), resumes_at=resumes)
    sub.status, sub.paused_at, sub.pause_resumes_at = SubscriptionStatus.paused, utcnow(), resumes
    sub.updated_at = utcnow()
    await _audit(session, sub, "paused", actor_user_id, {"months": months})
    await notices.send(
        session,
        sub,
        plan,
        "subscription_paused",
        f"subscription_paused:{sub.id}:{sub.paused_at.isoformat()}",
    )
    return sub


async def resume(
    session: AsyncSession, sub: Subscription, *, actor_user_id: UUID | None
) -> Subscription:
    if sub.status != SubscriptionStatus.paused:
        raise InvalidSubscriptionState()
    plan = await get_plan(session, sub.plan_id)
    await billing().resume(_ref(sub))
    sub.status, sub.pause_resumes_at = SubscriptionStatus.active, None
    sub.updated_at = utcnow()
    await _audit(session, sub, "resumed", actor_user_id, {})
    await notices.send(
        session,
        sub,
        plan,
        "subscription_resumed",
        f"subscription_resumed:{sub.id}:{utcnow().isoformat()}",
    )
    return sub


def _ref(sub: Subscription) -> str:
    if sub.stripe_subscription_id is None:
        raise InvalidSubscriptionState()
    return sub.stripe_subscription_id


def proration(sub: Subscription, old_cents: int, new_cents: int) -> Proration:
    """What Stripe's `create_prorations` does, stated to the client: the unused share of the
    period at the old price is credited, the same share at the new price charged, on the next
    invoice."""
    start, end, now = sub.current_period_start_at, sub.current_period_end_at, utcnow()
    if start is None or end is None or end <= now:
        share_num, share_den = 0, 1
    else:
        share_num = int((end - now).total_seconds())
        share_den = max(int((end - start).total_seconds()), 1)
    credit = old_cents * share_num // share_den
    charge = new_cents * share_num // share_den
    return Proration(PRORATION, credit, charge, charge - credit, "next_invoice")


async def change_plan(
    session: AsyncSession,
    sub: Subscription,
    *,
    plan_id: UUID,
    by_client: bool,
    actor_user_id: UUID | None,
) -> Proration:
    if sub.status != SubscriptionStatus.active:
        raise InvalidSubscriptionState()
    old = await get_plan(session, sub.plan_id)
    new = await get_plan(session, plan_id)
    if not new.is_active or new.stripe_price_id is None or new.id == old.id:
        raise PlanNotOnSale()
    stated = proration(sub, old.price_cents, new.price_cents)
    await billing().change_price(
        _ref(sub), price_ref=new.stripe_price_id, proration_behavior=PRORATION
    )
    sub.plan_id, sub.updated_at = new.id, utcnow()
    await _audit(
        session,
        sub,
        "plan_changed",
        actor_user_id,
        {"from": old.name, "to": new.name, "net_cents": stated.net_cents, "by_client": by_client},
    )
    return stated


def _today() -> date:
    return utcnow().astimezone(zone()).date()


async def cancel(
    session: AsyncSession,
    sub: Subscription,
    *,
    at_period_end: bool,
    by_client: bool,
    reason: str | None,
    override: bool = False,
    actor_user_id: UUID | None,
) -> Subscription:
    """Cancel at the period's end (access until then) or now. Inside the commitment the
    client cannot; staff may, with `override` and a reason."""
    plan = await get_plan(session, sub.plan_id)
    _by_client_allowed(plan.client_may_cancel, by_client)
    if sub.status == SubscriptionStatus.cancelled:
        raise InvalidSubscriptionState()
    committed = sub.commitment_end_date is not None and _today() < sub.commitment_end_date
    if committed and (by_client or not override):
        raise CommitmentNotOver()
    if override and not (reason or "").strip():
        raise OverrideNeedsReason()
    if sub.stripe_subscription_id:
        await billing().cancel(sub.stripe_subscription_id, at_period_end=at_period_end)
    why = reason or ("client" if by_client else "staff")
    if at_period_end:
        sub.cancel_at_period_end, sub.cancel_reason = True, why
        await record(
            session,
            sub.id,
            "cancel_scheduled",
            {"reason": why, "at": str(sub.current_period_end_at)},
        )
    else:
        sub.status, sub.cancelled_at, sub.cancel_reason = (
            SubscriptionStatus.cancelled,
            utcnow(),
            why,
        )
        await published_cancel(session, sub, why)
    sub.updated_at = utcnow()
    await _audit(
        session, sub, "cancelled", actor_user_id, {"at_period_end": at_period_end, "reason": why}
    )
    return sub


async def card_update(session: AsyncSession, sub: Subscription) -> tuple[str, str | None]:
    """A SetupIntent for a new card (the site's Stripe Elements): (client_secret, key).
    `setup_intent.succeeded` makes it the default and the dunning retries at once."""
    if sub.stripe_customer_id is None or sub.status == SubscriptionStatus.cancelled:
        raise InvalidSubscriptionState()
    adapter = billing()
    _, secret = await adapter.setup_card(
        customer_ref=sub.stripe_customer_id,
        subscription_id=str(sub.id),
        key=f"subscription:{sub.id}:card:{new_id().hex}",
    )
    return secret, adapter.publishable_key


async def _audit(
    session: AsyncSession,
    sub: Subscription,
    what: str,
    actor_user_id: UUID | None,
    data: dict[str, object],
) -> None:
    await record(
        session, sub.id, what, {**data, "by_user_id": str(actor_user_id) if actor_user_id else None}
    )
    await record_audit(
        session,
        f"subscription.{what}",
        actor_user_id=actor_user_id,
        subject_type="subscription",
        subject_id=sub.id,
        data={k: str(v) for k, v in data.items()},
    )
