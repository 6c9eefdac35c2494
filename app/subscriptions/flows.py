"""Use cases that reach other domains: subscribing as the signed-in client, at the desk
(the card link sent by e-mail and SMS), and the card page opened from a signed link."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.subscriptions import links, notices, plans, service
from app.subscriptions.errors import SubscriptionNotFound
from app.subscriptions.models import Channel
from app.subscriptions.schemas import CardOut, SubscribeOut


async def subscribe_self(session: AsyncSession, *, user_id: UUID, plan_id: UUID) -> SubscribeOut:
    own = await clients.client_for_user(session, user_id)
    if own is None:
        raise SubscriptionNotFound()
    started = await service.subscribe(
        session, client_id=own.id, plan_id=plan_id, channel=Channel.online, actor_user_id=user_id
    )
    return SubscribeOut(
        subscription_id=started.subscription.id,
        status=started.subscription.status,
        client_secret=started.client_secret,
        publishable_key=started.publishable_key,
    )


async def subscribe_at_desk(
    session: AsyncSession, *, client_id: UUID, plan_id: UUID, actor_user_id: UUID
) -> SubscribeOut:
    """At the desk the client's card is saved from her phone: the salon's reader is SumUp,
    which cannot save a card for Stripe, so she receives the card link; once the card is
    saved the first invoice is paid with it (stripe_events.on_card_saved)."""
    started = await service.subscribe(
        session,
        client_id=client_id,
        plan_id=plan_id,
        channel=Channel.desk,
        actor_user_id=actor_user_id,
    )
    sub = started.subscription
    plan = await plans.get_plan(session, sub.plan_id)
    await notices.send(
        session,
        sub,
        plan,
        "subscription_card_link",
        f"subscription_card_link:{sub.id}",
        ("email", "sms"),
        card_url=links.card_update_url(sub.id),
    )
    return SubscribeOut(
        subscription_id=sub.id,
        status=sub.status,
        client_secret=started.client_secret,
        publishable_key=started.publishable_key,
        card_link_sent=True,
    )


async def card_from_link(session: AsyncSession, token: str) -> CardOut:
    sub = await service.get_subscription(session, links.subscription_from_card_token(token))
    secret, key = await service.card_update(session, sub)
    return CardOut(client_secret=secret, publishable_key=key)
