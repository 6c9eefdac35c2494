"""Proof that a webhook comes from Stripe, and what its objects say.

`Stripe-Signature: t=<unix>,v1=<hex>`; v1 is HMAC-SHA256 of "{t}.{raw body}" with the
endpoint secret; any v1 may match (secret rotation); older than 5 minutes is refused. Checked
here against our clock, so tests can pin time and use Stripe's own vectors.
"""

from __future__ import annotations

import hashlib
import hmac

from app.core.clock import utcnow
from app.core.errors import InvalidWebhookSignature
from app.integrations.stripe.client import payment_intent_state, payout_report, refund_state

__all__ = [
    "payment_intent_state",
    "payout_report",
    "refund_state",
    "stripe_signature",
    "verify_stripe",
]

STRIPE_TOLERANCE_SECONDS = 300


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
