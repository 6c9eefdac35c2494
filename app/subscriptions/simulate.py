"""`python -m app.cli subscriptions simulate`: what Stripe would send when a membership's
next invoice is paid or declined, built in Stripe's shape and handed to the webhook inbox
(stored once, applied as a real event). For `make run` with the console adapter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.ids import new_id
from app.payments import public as payments
from app.subscriptions import plans, repository
from app.subscriptions.dates import shift
from app.subscriptions.errors import SubscriptionNotFound
from app.subscriptions.models import SubscriptionStatus


def _event(kind: str, obj: dict[str, Any], created: int) -> dict[str, Any]:
    return {
        "id": f"evt_sim_{new_id().hex}",
        "object": "event",
        "type": kind,
        "created": created,
        "data": {"object": obj},
    }


async def simulate(
    session: AsyncSession, subscription_id: UUID, *, paid: bool, decline_code: str | None
) -> list[tuple[str, str]]:
    """The next invoice (the first one while incomplete, else the renewal): its events,
    through the inbox. Answers each event's type and outcome."""
    sub = await repository.subscription(session, subscription_id)
    if sub is None or sub.stripe_subscription_id is None:
        raise SubscriptionNotFound()
    plan = await plans.get_plan(session, sub.plan_id)
    first = sub.status == SubscriptionStatus.incomplete
    start = utcnow() if first or sub.current_period_end_at is None else sub.current_period_end_at
    end = shift(start, 12 if plan.interval == "year" else 1)
    now = int(utcnow().timestamp())
    invoice_id = f"in_sim_{new_id().hex}"
    invoice: dict[str, Any] = {
        "id": invoice_id,
        "object": "invoice",
        "customer": sub.stripe_customer_id,
        "status": "paid" if paid else "open",
        "billing_reason": "subscription_create" if first else "subscription_cycle",
        "total": plan.price_cents,
        "amount_due": plan.price_cents,
        "currency": "eur",
        "attempt_count": 1,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/console/{invoice_id}",
        "next_payment_attempt": None if paid else now + int(timedelta(days=3).total_seconds()),
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": sub.stripe_subscription_id,
                "metadata": {"subscription_id": str(sub.id)},
            },
        },
        "lines": {
            "data": [{"period": {"start": int(start.timestamp()), "end": int(end.timestamp())}}]
        },
        "status_transitions": {"paid_at": now if paid else None},
    }
    if not paid:
        invoice["last_payment_error"] = {"decline_code": decline_code or "card_declined"}
    events = [
        _event("invoice.finalized", dict(invoice, status="open"), now),
        _event("invoice.paid" if paid else "invoice.payment_failed", invoice, now + 1),
    ]
    return [(e["type"], await payments.receive_local_stripe_event(session, e)) for e in events]
