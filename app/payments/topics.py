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


class ProviderFeeKnown(Payload):
    """A provider reported its fee on a taken payment (PayPal, at capture): booked now, and
    never again when the money is paid out."""

    payment_id: UUID
    method: str
    provider: str
    fee_cents: int
    currency: str
    known_at: str  # ISO 8601


class PayoutReceived(Payload):
    """A provider's payout reached the salon's bank (docs/payments.md, "Payouts")."""

    payout_id: UUID
    provider: str  # stripe, sumup, paypal: whose clearing account pays
    reference: str  # the provider's payout id (po_…), or the statement's reference
    gross_cents: int  # what leaves the clearing account: net + fee
    fee_cents: int  # withheld by the provider on what this payout carries
    fees_booked_cents: int  # of `fee_cents`, those already booked when the payment was taken
    net_cents: int  # what reached the bank
    currency: str
    arrival_date: str  # ISO date


class PayoutFailed(Payload):
    """A payout did not reach the bank (or came back from it): the provider holds the money
    again. `arrived`: it had been recorded as paid (its entry is reversed)."""

    payout_id: UUID
    provider: str
    reference: str
    fee_cents: int
    fees_booked_cents: int
    net_cents: int
    currency: str
    arrived: bool
    failed_at: str  # ISO 8601


# A provider's fee on a payment became known (the books expense it).
TOPIC_PROVIDER_FEE = Topic("payments.provider_fee", ProviderFeeKnown)
# A payout reached the bank / failed (the books move the money from 467 to 512, and back).
TOPIC_PAYOUT_RECEIVED = Topic("payments.payout_received", PayoutReceived)
TOPIC_PAYOUT_FAILED = Topic("payments.payout_failed", PayoutFailed)
