"""The core's actions the dunning takes, in one place (app/subscriptions/public.py).

The dunning never touches Stripe or the entitlements itself: it asks the core to retry the
invoice, suspend, reinstate or cancel the membership, and to say who to write to. The core
and the dunning were built side by side; the actions are looked up on `public` when called,
so this seam is the only module to change if their names move. While the core has none,
`contact` and `card_update_url` read its tables, and `suspend` and `reinstate` set the
membership's `suspended` status (the one its entitlements read); `retry_invoice` and
`cancel_now` need Stripe and have no stand-in."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.core.urls import site_url
from app.subscriptions import public
from app.subscriptions.models import Subscription, SubscriptionPlan, SubscriptionStatus
from app.subscriptions.public import Contact, RetryOutcome

__all__ = [
    "Contact",
    "RetryOutcome",
    "cancel_now",
    "card_update_url",
    "contact",
    "record",
    "reinstate",
    "retry_invoice",
    "suspend",
]

record = public.record


def _action(name: str) -> Any:
    action = getattr(public, name, None)
    if action is None:
        raise NotImplementedError(f"app.subscriptions.public has no {name}() yet")
    return action


async def retry_invoice(session: AsyncSession, subscription_id: UUID) -> RetryOutcome:
    """Pay the membership's open invoice now (`POST /v1/invoices/{id}/pay`, off-session)."""
    return cast(RetryOutcome, await _action("retry_invoice")(session, subscription_id))


async def suspend(session: AsyncSession, subscription_id: UUID, reason: str) -> None:
    """Stop the entitlements: a booking is no longer covered, the till gives no discount."""
    found = getattr(public, "suspend", None)
    if found is not None:
        await found(session, subscription_id, reason)
        return
    subscription = await _locked(session, subscription_id)
    if subscription.status in {SubscriptionStatus.active, SubscriptionStatus.past_due}:
        subscription.status = SubscriptionStatus.suspended
        subscription.suspended_at = subscription.updated_at = utcnow()


async def reinstate(session: AsyncSession, subscription_id: UUID) -> None:
    """Give a suspended membership its entitlements back (its invoice got paid)."""
    found = getattr(public, "reinstate", None)
    if found is not None:
        await found(session, subscription_id)
        return
    subscription = await _locked(session, subscription_id)
    if subscription.status == SubscriptionStatus.suspended:
        subscription.status = SubscriptionStatus.active
        subscription.suspended_at, subscription.updated_at = None, utcnow()


async def _locked(session: AsyncSession, subscription_id: UUID) -> Subscription:
    return (
        await session.scalars(
            select(Subscription).where(Subscription.id == subscription_id).with_for_update()
        )
    ).one()


async def cancel_now(session: AsyncSession, subscription_id: UUID, reason: str) -> None:
    """Cancel at Stripe at once (the subscription was left past due)."""
    await _action("cancel_now")(session, subscription_id, reason)


async def contact(session: AsyncSession, subscription_id: UUID) -> Contact:
    """Who to write to about the membership, and its plan."""
    found = getattr(public, "contact", None)
    if found is not None:
        return cast(Contact, await found(session, subscription_id))
    row = (
        await session.execute(
            select(Subscription.client_id, SubscriptionPlan.name, SubscriptionPlan.price_cents)
            .join(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
            .where(Subscription.id == subscription_id)
        )
    ).one()
    client = await clients.get_client(session, row.client_id)
    return Contact(
        client_id=row.client_id,
        first_name=client.first_name,
        email=client.email,
        phone=client.phone,
        plan_name=row.name,
        amount_due_cents=row.price_cents,
    )


def card_update_url(subscription_id: UUID) -> str:
    """The client's page to save a new card for the membership (her account on the site)."""
    found = getattr(public, "card_update_url", None)
    if found is not None:
        return cast(str, found(subscription_id))
    return site_url("compte", "abonnements", str(subscription_id), "carte")
