"""What other domains may use from payments: taking money for anything payable (online, at
the desk, by gift card, in several tenders), its balance, refunds (of one payment, and the
tenders that paid for a subject), payouts to the bank and what they carried (for the books'
reconciliation), a client's payments for her GDPR export, their
anonymisation on erasure (amounts stay: accounting keeps them ten years), a merge, and the
rule a request body follows to name what it pays for (`NamesSubject`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.payments.balances import Balance, KeptPayment, balance, kept_payments
from app.payments.checkout import Checkout, start_purchase
from app.payments.desk import pay_with_gift_card, take_in_person
from app.payments.errors import (
    AmountExceedsBalance,
    NothingToPay,
    ReaderBusy,
    ReaderNotFound,
    ReaderOffline,
    ReaderRequired,
    TipNotAllowed,
)
from app.payments.ledger import get_payment
from app.payments.models import (
    TAKEN,
    Payment,
    PaymentMethod,
    PayoutProvider,
    ProviderCustomer,
    ProviderEvent,
    SavedCard,
)
from app.payments.outcomes import CancellationMoney, PaidSoFar, cancellation_money, paid_so_far
from app.payments.payouts import (
    PaymentNotPaidOut,
    PayoutLineView,
    PayoutView,
    payments_not_paid_out,
    payouts_arrived,
)
from app.payments.refunds import Tender, refund_payment, refundable_tenders
from app.payments.schemas import NamesSubject
from app.payments.topics import (
    TOPIC_DEPOSIT_KEPT,
    TOPIC_GIFT_CARD_REFUNDED,
    TOPIC_PAYOUT_FAILED,
    TOPIC_PAYOUT_RECEIVED,
    TOPIC_PROVIDER_FEE,
    TOPIC_REFUNDED,
    TOPIC_TAKEN,
    DepositKept,
    GiftCardRefunded,
    PaymentRefunded,
    PaymentTaken,
    PayoutFailed,
    PayoutReceived,
    ProviderFeeKnown,
)

__all__ = [
    "TOPIC_DEPOSIT_KEPT",
    "TOPIC_GIFT_CARD_REFUNDED",
    "TOPIC_PAYOUT_FAILED",
    "TOPIC_PAYOUT_RECEIVED",
    "TOPIC_PROVIDER_FEE",
    "TOPIC_REFUNDED",
    "TOPIC_TAKEN",
    "AmountExceedsBalance",
    "Balance",
    "CancellationMoney",
    "Checkout",
    "DepositKept",
    "GiftCardRefunded",
    "KeptPayment",
    "NamesSubject",
    "NothingToPay",
    "PaidSoFar",
    "PaymentMethod",
    "PaymentNotPaidOut",
    "PaymentRefunded",
    "PaymentTaken",
    "PayoutFailed",
    "PayoutLineView",
    "PayoutProvider",
    "PayoutReceived",
    "PayoutView",
    "ProviderFeeKnown",
    "ReaderBusy",
    "ReaderNotFound",
    "ReaderOffline",
    "ReaderRequired",
    "Tender",
    "TipNotAllowed",
    "anonymize_client_payments",
    "balance",
    "booking_has_payments",
    "cancellation_money",
    "card_fingerprints",
    "export_client_payments",
    "get_payment",
    "kept_payments",
    "paid_before",
    "paid_so_far",
    "pay_with_gift_card",
    "payments_not_paid_out",
    "payouts_arrived",
    "reassign_client",
    "refund_payment",
    "refundable_tenders",
    "start_purchase",
    "take_in_person",
]


REDACTED = {"redacted": "erased with the client's personal data"}


async def export_client_payments(session: AsyncSession, client_id: UUID) -> list[dict[str, Any]]:
    payments = await session.scalars(
        select(Payment).where(Payment.client_id == client_id).order_by(Payment.created_at)
    )
    cards = await session.scalars(select(SavedCard).where(SavedCard.client_id == client_id))
    return [
        {
            "id": p.id,
            "date": p.created_at,
            "method": p.method,
            "purpose": p.purpose,
            "status": p.status,
            "amount_cents": p.amount_cents,
            "refunded_cents": p.refunded_cents,
            "currency": p.currency,
            "booking_id": p.booking_id,
        }
        for p in payments
    ] + [
        {
            "saved_card": c.id,
            "brand": c.brand,
            "last4": c.last4,
            "status": c.status,
            "consent": c.consent_text,
            "consented_at": c.consented_at,
        }
        for c in cards
    ]


async def anonymize_client_payments(session: AsyncSession, client_id: UUID) -> None:
    """Keep every amount; drop what names the person: provider payloads (payer names and
    e-mails), staff notes, saved cards and the provider customer link."""
    payment_ids = select(Payment.id).where(Payment.client_id == client_id).scalar_subquery()
    await session.execute(
        update(ProviderEvent)
        .where(ProviderEvent.payment_id.in_(payment_ids))
        .values(payload=REDACTED)
    )
    await session.execute(
        update(Payment).where(Payment.client_id == client_id).values(note=None, approval_url=None)
    )
    await session.execute(delete(SavedCard).where(SavedCard.client_id == client_id))
    await session.execute(delete(ProviderCustomer).where(ProviderCustomer.client_id == client_id))


async def reassign_client(session: AsyncSession, *, source_id: UUID, target_id: UUID) -> None:
    """A merge: the source's payments and cards become the target's. The target keeps its
    own provider customer when it has one."""
    await session.execute(
        update(Payment).where(Payment.client_id == source_id).values(client_id=target_id)
    )
    await session.execute(
        update(SavedCard).where(SavedCard.client_id == source_id).values(client_id=target_id)
    )
    target_has = select(ProviderCustomer.provider).where(ProviderCustomer.client_id == target_id)
    await session.execute(
        delete(ProviderCustomer).where(
            ProviderCustomer.client_id == source_id, ProviderCustomer.provider.in_(target_has)
        )
    )
    await session.execute(
        update(ProviderCustomer)
        .where(ProviderCustomer.client_id == source_id)
        .values(client_id=target_id)
    )


async def paid_before(session: AsyncSession, client_id: UUID) -> bool:
    """Whether the client has ever paid anything (for "first purchase" offers)."""
    found = await session.scalar(
        select(Payment.id).where(Payment.client_id == client_id, Payment.status.in_(TAKEN)).limit(1)
    )
    return found is not None


async def card_fingerprints(session: AsyncSession, client_id: UUID) -> set[str]:
    """The fingerprints of the cards the client saved (Stripe's, where it gave one)."""
    rows = await session.scalars(
        select(SavedCard.fingerprint).where(
            SavedCard.client_id == client_id, SavedCard.fingerprint.is_not(None)
        )
    )
    return {f for f in rows if f}


async def booking_has_payments(session: AsyncSession, booking_id: UUID) -> bool:
    """Whether any payment was started for the booking (its price is then settled)."""
    found = await session.scalar(
        select(Payment.id).where(Payment.booking_id == booking_id).limit(1)
    )
    return found is not None


async def receive_local_stripe_event(session: AsyncSession, event: dict[str, Any]) -> str:
    """A Stripe event made on this machine (`python -m app.cli subscriptions simulate`, the
    console's stand-in for Stripe): stored once and applied like a verified webhook. It
    never comes over the network, so there is no signature to check."""
    from app.payments import webhooks

    received = await webhooks.process(
        session,
        provider="stripe",
        event_id=str(event["id"]),
        event_type=str(event["type"]),
        payload=event,
        apply=lambda stored: webhooks.apply_stripe(session, stored, event),
    )
    return received.outcome
