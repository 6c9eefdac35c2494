"""Outbox topics the payments domain publishes, each with the model of its payload."""

from __future__ import annotations

from uuid import UUID

from app.core.outbox import Payload, Topic


class AutoRefundRequested(Payload):
    payment_id: UUID
    reason: str
    amount_cents: int | None  # None: all that is refundable


class PaymentTaken(Payload):
    payment_id: UUID
    subject_kind: str
    subject_id: UUID
    amount_cents: int
    method: str


class GiftCardRefunded(Payload):
    payment_id: UUID
    refund_id: UUID
    amount_cents: int


# Followed by payments itself: the provider call of an automatic refund, retried by the outbox.
TOPIC_AUTO_REFUND = Topic("payments.auto_refund", AutoRefundRequested)
# Money taken for something that is not a booking (a gift card…): its domain follows this.
TOPIC_TAKEN = Topic("payments.taken", PaymentTaken)
# Followed by gift cards: money of a gift-card payment goes back onto the card.
TOPIC_GIFT_CARD_REFUNDED = Topic("payments.gift_card_refunded", GiftCardRefunded)
