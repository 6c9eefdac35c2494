"""Giving money back: refunds asked by staff, and the automatic ones the rules call for (a
deposit on a booking cancelled in time or by the salon, a payment that arrived too late)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox, payables
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.core.payables import Subject
from app.payments import ledger, providers, repository
from app.payments.errors import (
    PaymentNotRefundable,
    RefundAboveReceptionistLimit,
    RefundExceedsPayment,
)
from app.payments.models import (
    STAFF_RECORDED_METHODS,
    Payment,
    PaymentMethod,
    Provider,
    Refund,
    RefundStatus,
)
from app.payments.providers import RefundResult
from app.payments.topics import TOPIC_GIFT_CARD_REFUNDED

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tender:
    """A taken payment, one of those that paid for a subject (a split has several), and what
    of it may still go back."""

    payment_id: UUID
    method: str
    refundable_cents: int
    taken_at: datetime


async def refundable_tenders(session: AsyncSession, subject: Subject) -> list[Tender]:
    """The payments that paid for `subject` and may still give money back, locked, oldest
    first (the order every refund of the subject locks them in, before the subject's own row).
    A tip alone or a no-show fee did not pay for the subject itself and is left out."""
    tenders = []
    for payment in await repository.taken_for_refund(session, subject):
        left = await ledger.refundable_cents(session, payment)
        if payment.purpose in repository.FOR_THE_SUBJECT and left > 0:
            taken_at = payment.succeeded_at or payment.created_at
            tenders.append(Tender(payment.id, payment.method, left, taken_at))
    return tenders


async def ensure_within_receptionist_limit(
    session: AsyncSession, payment: Payment, amount_cents: int | None
) -> None:
    """A receptionist refunds a payment only while all its refunds, this one included, stay
    within PAYMENTS_RECEPTIONIST_REFUND_LIMIT_CENTS (the owner's choice; 0: never)."""
    limit = get_settings().payments.receptionist_refund_limit_cents
    refundable = await ledger.refundable_cents(session, payment)
    amount = refundable if amount_cents is None else amount_cents
    already = payment.amount_cents - refundable if refundable > 0 else 0
    if already + amount > limit:
        raise RefundAboveReceptionistLimit(
            f"Reception may refund up to {limit} cents on one payment.",
            extra={"limit_cents": limit},
        )


async def refund_payment(
    session: AsyncSession,
    payment: Payment,
    *,
    amount_cents: int | None,
    reason: str,
    requested_by_user_id: UUID | None,
    automatic: bool = False,
    key: str | None = None,
) -> Refund:
    """Refund `amount_cents` (all that is left by default) of a payment locked by the caller.

    The provider is called with an idempotency key (the refund's id, or `key` for automatic
    refunds so that a retried job never refunds twice). Cash and transfers are refunded by
    hand: the record says the money went back. A gift-card payment goes back onto its card
    (the gift cards domain follows `payments.gift_card_refunded`)."""
    amount = await _amount_to_refund(session, payment, amount_cents, automatic=automatic)
    refund_id = new_id()
    if payment.method == PaymentMethod.gift_card:
        result = RefundResult(ref="", status=RefundStatus.succeeded)
        await outbox.enqueue(
            session,
            TOPIC_GIFT_CARD_REFUNDED,
            {
                "payment_id": payment.id,
                "refund_id": refund_id,
                "amount_cents": amount,
                "gift_card_id": payment.gift_card_id,
            },
        )
    elif payment.provider == Provider.none or payment.method in STAFF_RECORDED_METHODS:
        result = RefundResult(ref="", status=RefundStatus.succeeded)
    else:
        adapter = providers.for_provider(payment.provider, PaymentMethod(payment.method))
        result = await adapter.refund(
            payment_ref=payment.provider_ref or "",
            charge_ref=payment.provider_charge_ref,
            amount_cents=amount,
            currency=payment.currency,
            key=key or f"refund-{refund_id}",
        )
        known = await session.scalar(select(Refund).where(Refund.provider_ref == result.ref))
        if known is not None:  # a retried job whose refund a webhook already recorded
            return known
    refund = Refund(
        id=refund_id,
        payment_id=payment.id,
        amount_cents=amount,
        status=RefundStatus.pending,
        reason=reason,
        automatic=automatic,
        provider_ref=result.ref or None,
        requested_by_user_id=requested_by_user_id,
        created_at=utcnow(),
    )
    session.add(refund)
    if not automatic:
        await follow_subject(session, payment, refund)
    source = "auto" if automatic else "staff"
    await apply_refund_result(session, payment, refund, result, source=source)
    await session.flush()
    return refund


async def _amount_to_refund(
    session: AsyncSession, payment: Payment, amount_cents: int | None, *, automatic: bool
) -> int:
    refundable = await ledger.refundable_cents(session, payment)
    if refundable <= 0:
        raise PaymentNotRefundable(f"A payment that is {payment.status} has nothing to refund.")
    # What the payment bought may limit what goes back (a gift card: only what is unspent);
    # an automatic refund is the rules' own decision (often the owner's verdict): not asked.
    allowed = amount_cents
    if not automatic:
        allowed = await _owner_allows(session, payment, amount_cents)
    if allowed is None:
        amount = refundable
    else:  # "all" is all the owner allows, within this payment (one tender of a split)
        amount = min(allowed, refundable) if amount_cents is None else allowed
    if amount > refundable:
        raise RefundExceedsPayment(
            f"At most {refundable} cents can be refunded.", extra={"refundable_cents": refundable}
        )
    return amount


async def _owner_allows(session: AsyncSession, payment: Payment, asked: int | None) -> int | None:
    return await payables.get(payment.subject_kind).refundable(session, payment.subject_id, asked)


async def follow_subject(session: AsyncSession, payment: Payment, refund: Refund) -> None:
    """A new refund of a payment: what it paid for follows at once (a gift card loses that
    much), so the money is never both back and still spendable."""
    await payables.get(payment.subject_kind).refunded(
        session,
        payment.subject_id,
        payment_id=payment.id,
        refund_id=refund.id,
        amount_cents=refund.amount_cents,
    )


async def apply_refund_result(
    session: AsyncSession, payment: Payment, refund: Refund, result: RefundResult, *, source: str
) -> bool:
    """Move a refund to what the provider says; a refund that succeeds counts once."""
    if refund.status != RefundStatus.pending or result.status == RefundStatus.pending:
        return False
    if result.status == RefundStatus.succeeded:
        await ledger.record_refund(session, payment, refund, source=source)
    else:
        refund.status, refund.completed_at = RefundStatus.failed, utcnow()
        refund.failure_message = result.failure_message
        ledger.log(
            session, payment, kind="refund_failed", source=source, note=result.failure_message
        )
    return True
