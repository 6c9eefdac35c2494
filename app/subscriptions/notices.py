"""The French messages a membership sends (templates app/notifications/templates/subscription_*):
confirmed, renewal paid, 3-D Secure needed (with the hosted invoice link), paused, resumed,
cancelled. The dunning's reminders are its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.core.money import euros
from app.core.timeutils import zone
from app.notifications import public as notifications
from app.subscriptions.models import Subscription, SubscriptionPlan


def _date(moment: datetime | None) -> str:
    return f"{moment.astimezone(zone()):%d/%m/%Y}" if moment else ""


def context(subscription: Subscription, plan: SubscriptionPlan, **extra: Any) -> dict[str, Any]:
    return {
        "subscription": {
            "plan": plan.name,
            "price": euros(plan.price_cents),
            "interval": "mois" if plan.interval == "month" else "an",
            "period_end": _date(subscription.current_period_end_at),
            "resumes": _date(subscription.pause_resumes_at),
            **extra,
        }
    }


async def send(
    session: AsyncSession,
    subscription: Subscription,
    plan: SubscriptionPlan,
    template: str,
    key: str,
    channels: tuple[str, ...] = ("email",),
    **extra: Any,
) -> None:
    client = await clients.get_client(session, subscription.client_id)
    recipient = notifications.Recipient(client.id, client.first_name, client.email, client.phone)
    for channel in channels:
        await notifications.queue(
            session,
            template=template,
            channel=notifications.Channel(channel),
            recipient=recipient,
            context=context(subscription, plan, **extra),
            dedupe_key=f"{key}:{channel}",
        )
