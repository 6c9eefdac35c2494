"""Outbox topics the gift cards domain publishes."""

from __future__ import annotations

from uuid import UUID

from app.core.outbox import Payload, Topic


class CardExpired(Payload):
    """A card reached its date with money left: that much left the liability."""

    gift_card_id: UUID
    amount_cents: int  # what lapsed (positive)
    vat_treatment: str  # single_purpose or multi_purpose
    expired_at: str  # ISO 8601


# Followed by the books (other operating income, docs/giftcards.md).
TOPIC_EXPIRED = Topic("giftcards.expired", CardExpired)
