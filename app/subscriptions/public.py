"""What other domains (and the dunning) may use from subscriptions: the timeline, the Stripe
actions a failed renewal needs, who to contact, and the topics others follow."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.clock import utcnow
from app.integrations.stripe.billing import is_hard_decline
from app.subscriptions import links, repository, service
from app.subscriptions.billing import billing
from app.subscriptions.models import SubscriptionStatus
from app.subscriptions.plans import get_plan
from app.subscriptions.service import get_subscription
from app.subscriptions.stripe_events import mark_paid
from app.subscriptions.timeline import record
from app.subscriptions.topics import (
    TOPIC_ACTION_REQUIRED,
    TOPIC_CANCELLED,
    TOPIC_CARD_UPDATED,
    TOPIC_INVOICE_PAID,
    TOPIC_INVOICE_REVENUE,
    TOPIC_RENEWAL_FAILED,
    ActionRequired,
    Cancelled,
    CardUpdated,
    InvoicePaid,
    InvoiceRevenue,
    RenewalFailed,
)

__all__ = [
    "TOPIC_ACTION_REQUIRED",
    "TOPIC_CANCELLED",
    "TOPIC_CARD_UPDATED",
    "TOPIC_INVOICE_PAID",
    "TOPIC_INVOICE_REVENUE",
    "TOPIC_RENEWAL_FAILED",
    "ActionRequired",
    "Cancelled",
    "CardUpdated",
    "Contact",
    "InvoicePaid",
    "InvoiceRevenue",
    "RenewalFailed",
    "RetryOutcome",
    "cancel_now",
    "card_update_url",
    "contact",
    "record",
    "reinstate",
    "retry_invoice",
    "suspend",
]


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """What an immediate retry of the open invoice gave: paid, or the decline and whether it
    is hard (the card will never pass: only a new card helps)."""

    paid: bool
    decline_code: str | None
    hard: bool


@dataclass(frozen=True, slots=True)
class Contact:
    """Who to remind about a membership, and what is due."""

    client_id: UUID
    first_name: str
    email: str | None
    phone: str | None
    plan_name: str
    amount_due_cents: int


async def retry_invoice(session: AsyncSession, subscription_id: UUID) -> RetryOutcome:
    """Pay the membership's open invoice now (`POST /v1/invoices/{id}/pay`, the card on
    file). Paid: the `invoice.paid` webhook that follows reinstates the membership (and it is
    applied here already, so a lost webhook loses nothing)."""
    sub = await get_subscription(session, subscription_id, lock=True)
    invoice = await repository.open_invoice(session, sub.id)
    if invoice is None:
        return RetryOutcome(paid=True, decline_code=None, hard=False)
    result = await billing().pay_invoice(invoice.stripe_invoice_id)
    invoice.attempt_count += 1
    await record(
        session,
        sub.id,
        "retry",
        {"invoice_id": str(invoice.id), "paid": result.paid, "decline_code": result.decline_code},
    )
    if result.paid:
        await mark_paid(session, sub, invoice)
    else:
        invoice.decline_code = result.decline_code or invoice.decline_code
    await session.flush()
    return RetryOutcome(result.paid, result.decline_code, is_hard_decline(result.decline_code))


async def suspend(session: AsyncSession, subscription_id: UUID, reason: str) -> None:
    """Stop the entitlements (the dunning at J+15): nothing covered until reinstated."""
    sub = await get_subscription(session, subscription_id, lock=True)
    if sub.status in (SubscriptionStatus.past_due, SubscriptionStatus.active):
        sub.status, sub.suspended_at, sub.updated_at = (
            SubscriptionStatus.suspended,
            utcnow(),
            utcnow(),
        )
        await record(session, sub.id, "suspended", {"reason": reason})
        await session.flush()


async def reinstate(session: AsyncSession, subscription_id: UUID) -> None:
    """The money came in: the entitlements are back."""
    sub = await get_subscription(session, subscription_id, lock=True)
    if sub.status in (SubscriptionStatus.past_due, SubscriptionStatus.suspended):
        sub.status, sub.suspended_at, sub.updated_at = SubscriptionStatus.active, None, utcnow()
        await record(session, sub.id, "reinstated", {})
        await session.flush()


async def cancel_now(session: AsyncSession, subscription_id: UUID, reason: str) -> None:
    """End the membership at once, in Stripe and here (the dunning at J+30)."""
    sub = await get_subscription(session, subscription_id, lock=True)
    if sub.status == SubscriptionStatus.cancelled:
        return
    await service.cancel(
        session,
        sub,
        at_period_end=False,
        by_client=False,
        reason=reason,
        override=True,
        actor_user_id=None,
    )
    await session.flush()


async def contact(session: AsyncSession, subscription_id: UUID) -> Contact:
    sub = await get_subscription(session, subscription_id)
    plan = await get_plan(session, sub.plan_id)
    client = await clients.get_client(session, sub.client_id)
    owed = await repository.open_invoice(session, sub.id)
    return Contact(
        client_id=client.id,
        first_name=client.first_name,
        email=client.email,
        phone=client.phone,
        plan_name=plan.name,
        amount_due_cents=owed.amount_cents if owed else 0,
    )


def card_update_url(subscription_id: UUID) -> str:
    """The site's page where the client saves a new card (a signed link, no login needed)."""
    return links.card_update_url(subscription_id)
