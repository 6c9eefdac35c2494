"""What each provider's webhook endpoint does once the request is read: check the proof,
parse the event, and hand it to the idempotent inbox (`webhooks.process`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.integrations.stripe.webhooks import verify_stripe
from app.integrations.sumup.webhooks import payment_from_sumup_token
from app.payments import providers, webhooks
from app.payments.errors import (
    InvalidWebhookPayload,
    InvalidWebhookSignature,
    WebhookNotConfigured,
)


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise InvalidWebhookPayload() from exc
    if not isinstance(data, dict):
        raise InvalidWebhookPayload()
    return data


async def receive_stripe(
    session: AsyncSession, body: bytes, signature: str | None
) -> webhooks.Received:
    """Stripe events, verified with `STRIPE_WEBHOOK_SECRET`, applied once."""
    secret = get_settings().stripe.webhook_secret
    if secret is None:
        raise WebhookNotConfigured("STRIPE_WEBHOOK_SECRET is not set.")
    verify_stripe(secret.get_secret_value(), body=body, header=signature)
    data = _json(body)
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise InvalidWebhookPayload("A Stripe event has an `id` and a `type`.")
    return await webhooks.process(
        session,
        provider="stripe",
        event_id=data["id"],
        event_type=data["type"],
        payload=data,
        apply=lambda event: webhooks.apply_stripe(session, event, data),
    )


async def receive_paypal(
    session: AsyncSession, body: bytes, headers: Mapping[str, str]
) -> webhooks.Received:
    """PayPal events, verified by PayPal's verify-webhook-signature call, applied once."""
    adapter = providers.paypal_provider()
    if not isinstance(adapter, providers.PayPalProvider) or not get_settings().paypal.webhook_id:
        raise WebhookNotConfigured("PayPal credentials and PAYPAL_WEBHOOK_ID are not set.")
    data = _json(body)
    if not await adapter.verify_webhook({k.lower(): v for k, v in headers.items()}, data):
        raise InvalidWebhookSignature("PayPal did not confirm this event.")
    if not isinstance(data.get("id"), str) or not isinstance(data.get("event_type"), str):
        raise InvalidWebhookPayload("A PayPal event has an `id` and an `event_type`.")
    return await webhooks.process(
        session,
        provider="paypal",
        event_id=data["id"],
        event_type=data["event_type"],
        payload=data,
        apply=lambda event: webhooks.apply_paypal(session, event, data),
    )


async def receive_sumup(session: AsyncSession, body: bytes, token: str | None) -> webhooks.Received:
    """The card reader's result, posted to the callback URL signed for that payment; SumUp
    is asked before anything changes."""
    payment_id: UUID = payment_from_sumup_token(token)
    data = _json(body)
    event_id = data.get("id")
    if not isinstance(event_id, str):
        raise InvalidWebhookPayload("A SumUp callback has an `id`.")
    status_ = (data.get("payload") or {}).get("status", "")
    return await webhooks.process(
        session,
        provider="sumup",
        event_id=f"{event_id}:{status_}",
        event_type=str(data.get("event_type") or "reader.checkout"),
        payload=data,
        apply=lambda event: webhooks.apply_sumup(session, event, payment_id),
    )
