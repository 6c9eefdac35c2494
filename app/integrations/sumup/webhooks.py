"""Proof that a reader's result comes from SumUp: the reader posts it to the `return_url` we
gave it, unsigned; that URL carries a token we signed, and the result is confirmed by asking
SumUp before anything changes."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from app.core.clock import utcnow
from app.core.errors import InvalidWebhookSignature
from app.core.security import InvalidToken, sign_payload, verify_payload

SUMUP_CALLBACK = "sumup-callback"


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
