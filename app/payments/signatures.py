"""Proof that a webhook comes from its provider.

- Stripe: `Stripe-Signature: t=<unix>,v1=<hex>`; v1 is HMAC-SHA256 of "{t}.{raw body}" with
  the endpoint secret; any v1 may match (secret rotation); older than 5 minutes is refused.
  Checked here against our clock, so tests can pin time and use Stripe's own vectors.
- SumUp: the reader posts its result to the `return_url` we gave it, unsigned; that URL
  carries a token we signed, and the result is confirmed by asking SumUp before anything
  changes. SumUp's signed events (`X-SumUp-Webhook-Signature`) are checked by its SDK.
- PayPal: PayPal's verify-webhook-signature call (see the PayPal adapter).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from uuid import UUID

from app.core.clock import utcnow
from app.core.security import InvalidToken, sign_payload, verify_payload
from app.payments.errors import InvalidWebhookSignature

STRIPE_TOLERANCE_SECONDS = 300
SUMUP_CALLBACK = "sumup-callback"


def stripe_signature(secret: str, *, body: bytes, timestamp: int) -> str:
    """The `v1` a Stripe endpoint with this secret would send (used by fakes and tests)."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_stripe(secret: str, *, body: bytes, header: str | None) -> None:
    if not header:
        raise InvalidWebhookSignature("Stripe-Signature is missing.")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidWebhookSignature("Stripe-Signature has no timestamp or no v1 signature.")
    expected = stripe_signature(secret, body=body, timestamp=timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidWebhookSignature("No Stripe signature matches this body.")
    if timestamp < utcnow().timestamp() - STRIPE_TOLERANCE_SECONDS:
        raise InvalidWebhookSignature("This Stripe event is too old (replayed?).")


def sumup_callback_token(payment_id: UUID) -> str:
    return sign_payload(
        SUMUP_CALLBACK, {"p": str(payment_id)}, expires_at=utcnow() + timedelta(days=2)
    )


def payment_from_sumup_token(token: str | None) -> UUID:
    if not token:
        raise InvalidWebhookSignature("The callback token is missing.")
    try:
        return UUID(verify_payload(SUMUP_CALLBACK, token)["p"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidWebhookSignature("The callback token is not valid.") from exc
