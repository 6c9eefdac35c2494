"""Memberships through the API and the fake Stripe: a plan made by a manager, a client who
subscribes online, and the Billing events Stripe sends, posted signed to the webhook."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import AsyncClient

from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders


async def make_plan(
    client: AsyncClient, manager: dict[str, str], services: list[UUID], **terms: Any
) -> dict[str, Any]:
    """ "Abonnement soins": 59 € a month, one of each service a month, -10 % on products."""
    body = {
        "name": "Abonnement soins",
        "interval": "month",
        "price_cents": 5900,
        "vat_rate": "20.00",
        "allowances": [{"service_id": str(s), "sessions_per_period": 1} for s in services],
        "product_discount_percent": 10,
    } | terms
    made = await client.post("/api/v1/subscription-plans", json=body, headers=manager)
    assert made.status_code == 201, made.text
    return dict(made.json())


def stripe_ref(fakes: FakeProviders, subscription_id: str) -> str:
    """The fake Stripe subscription made for ours (by the metadata we sent)."""
    found = [
        ref
        for ref, sub in fakes.stripe.subscriptions.items()
        if sub["metadata"].get("subscription_id") == subscription_id
    ]
    assert len(found) == 1, found
    return found[0]


async def subscribe(
    client: AsyncClient, member: dict[str, str], plan: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/me/subscriptions", json={"plan_id": plan["id"]}, headers=member
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def post_all(client: AsyncClient, events: list[dict[str, Any]]) -> list[str]:
    outcomes = []
    for event in events:
        answer = await post_stripe(client, event)
        assert answer.status_code == 200, answer.text
        outcomes.append(event["type"])
    return outcomes


async def subscribed_and_paid(
    client: AsyncClient,
    fakes: FakeProviders,
    member: dict[str, str],
    plan: dict[str, Any],
    *,
    order: str = "successful_checkout_active",
) -> tuple[str, str]:
    """She subscribed and confirmed the first payment: (our id, Stripe's id)."""
    started = await subscribe(client, member, plan)
    ref = stripe_ref(fakes, started["subscription_id"])
    await post_all(client, fakes.stripe.first_payment(ref, order=order))
    return started["subscription_id"], ref


async def mine(client: AsyncClient, member: dict[str, str]) -> list[dict[str, Any]]:
    found = await client.get("/api/v1/me/subscriptions", headers=member)
    assert found.status_code == 200, found.text
    return list(found.json()["items"])


async def again(client: AsyncClient, email: str) -> dict[str, str]:
    """Her headers after the clock moved past her token's life (signed in again)."""
    from tests.factories.auth import login

    token = await login(client, email, "une-phrase-secrete")
    return {"Authorization": f"Bearer {token['access_token']}"}
