"""The card-update link a client opens from a reminder (no login): a token signed for this
one purpose, valid 45 days (past the dunning's last step)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from app.core.clock import utcnow
from app.core.security import InvalidToken, sign_payload, verify_payload
from app.core.urls import site_url
from app.subscriptions.errors import InvalidCardLink

CARD = "subscription-card"
VALID = timedelta(days=45)


def card_token(subscription_id: UUID) -> str:
    return sign_payload(CARD, {"s": str(subscription_id)}, expires_at=utcnow() + VALID)


def card_update_url(subscription_id: UUID) -> str:
    return site_url("abonnement", "carte", query={"token": card_token(subscription_id)})


def subscription_from_card_token(token: str) -> UUID:
    try:
        return UUID(verify_payload(CARD, token)["s"])
    except (InvalidToken, KeyError, ValueError) as exc:
        raise InvalidCardLink() from exc
