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
    amount_cents: int  # tip included
    method: str
    # Rows written before 0024 lack these two: read them as unknown.
    purpose: str | None = None
    settled: bool | None = None  # nothing was left to pay once this payment landed
    tip_cents: int = 0  # the part of `amount_cents` that is a tip owed to the practitioners
    gift_card_id: UUID | None = None  # the card that paid, for method gift_card
    taken_at: str | None = None  # ISO 8601 (None in rows written before the books)
    # A booking's deposit: "arrhes" or "acompte" (the VAT of an acompte is due at receipt).
    deposit_terms: str | None = None


class GiftCardRefunded(Payload):
    payment_id: UUID
    refund_id: UUID
    amount_cents: int
    gift_card_id: UUID | None = None  # the card that paid (None in rows written before 0024)


class PaymentRefunded(Payload):
    """A refund went through (money back to the client, or onto the gift card that paid)."""

    payment_id: UUID
    refund_id: UUID
    amount_cents: int
    method: str
    provider: str
    purpose: str
    subject_kind: str
    subject_id: UUID
    refunded_at: str  # ISO 8601
    gift_card_id: UUID | None = None  # the card that paid, for method gift_card


class DepositKept(Payload):
    """A booking cancelled late: its deposit stays with the salon (docs/deposits.md)."""

    payment_id: UUID
    booking_id: UUID
    amount_cents: int  # what is kept (the payment less its refunds)
    method: str
    terms: str  # arrhes (an indemnity, outside the scope of VAT) or acompte
    kept_at: str  # ISO 8601


# Followed by payments itself: the provider call of an automatic refund, retried by the outbox.
TOPIC_AUTO_REFUND = Topic("payments.auto_refund", AutoRefundRequested)
# Money taken for anything (its owner was already told through its payable, in the same
# transaction): for the domains that follow every payment (loyalty…).
TOPIC_TAKEN = Topic("payments.taken", PaymentTaken)
# Followed by gift cards: money of a gift-card payment goes back onto the card.
TOPIC_GIFT_CARD_REFUNDED = Topic("payments.gift_card_refunded", GiftCardRefunded)
# A refund succeeded (the books follow it).
TOPIC_REFUNDED = Topic("payments.refunded", PaymentRefunded)
# A late cancellation kept the deposit (the books turn the advance into income).
TOPIC_DEPOSIT_KEPT = Topic("payments.deposit_kept", DepositKept)
