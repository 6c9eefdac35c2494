"""How a payment's status moves, and what follows when money arrives or goes back.

Every path that learns something about a payment (the API's own call, a webhook, the poll
task, staff) goes through `apply_state` with the payment row locked, so the rules hold
whatever the order in which the news arrives:

- money taken wins: once succeeded, a late "failed" or "pending" is ignored; a success
  after a failure (a second card) or after a cancel (the client had already tapped) counts;
- refunds only move a taken payment to partially refunded or refunded.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox, payables
from app.core.clock import utcnow
from app.core.ids import new_id
from app.core.money import split
from app.core.payables import Due, Payable, Subject, Taken
from app.payments import repository
from app.payments.balances import balance_of
from app.payments.errors import PaymentNotFound
from app.payments.models import (
    TAKEN,
    Payment,
    PaymentLog,
    PaymentPurpose,
    PaymentStatus,
    Refund,
    RefundStatus,
    Tip,
)
from app.payments.providers import ProviderState
from app.payments.topics import (
    TOPIC_AUTO_REFUND,
    TOPIC_PROVIDER_FEE,
    TOPIC_REFUNDED,
    TOPIC_TAKEN,
)

logger = logging.getLogger(__name__)


S = PaymentStatus


async def get_payment(session: AsyncSession, payment_id: UUID, *, lock: bool = False) -> Payment:
    statement = select(Payment).where(Payment.id == payment_id)
    payment = await session.scalar(statement.with_for_update() if lock else statement)
    if payment is None:
        raise PaymentNotFound()
    return payment


def log(
    session: AsyncSession,
    payment: Payment,
    *,
    kind: str,
    source: str,
    from_status: str | None = None,
    event_id: UUID | None = None,
    actor_user_id: UUID | None = None,
    note: str | None = None,
) -> None:
    session.add(
        PaymentLog(
            id=new_id(),
            payment_id=payment.id,
            at=utcnow(),
            kind=kind,
            from_status=from_status,
            to_status=payment.status,
            source=source,
            provider_event_id=event_id,
            actor_user_id=actor_user_id,
            note=note,
        )
    )


def _accepts(current: PaymentStatus, new: PaymentStatus) -> bool:
    if new is current:
        return False
    if current in TAKEN:
        return False  # refunds move taken payments, through `record_refund`
    if new in TAKEN:
        return True  # money taken is a fact, whatever we believed before
    return current is not S.cancelled


async def apply_state(
    session: AsyncSession,
    payment: Payment,
    state: ProviderState,
    *,
    source: str,
    event_id: UUID | None = None,
    actor_user_id: UUID | None = None,
) -> bool:
    """Move `payment` (locked by the caller) to what the provider says, and book the fee it
    reports with a taken payment; returns whether the status changed."""
    moved = await _move(
        session, payment, state, source=source, event_id=event_id, actor_user_id=actor_user_id
    )
    await _fee_known(session, payment, state)
    return moved


async def _move(
    session: AsyncSession,
    payment: Payment,
    state: ProviderState,
    *,
    source: str,
    event_id: UUID | None,
    actor_user_id: UUID | None,
) -> bool:
    new = S(state.status)
    if new in {S.refunded, S.partially_refunded}:
        new = S.succeeded  # the refund itself arrives as its own event
    if state.charge_ref and not payment.provider_charge_ref:
        payment.provider_charge_ref = state.charge_ref
    current = S(payment.status)
    if not _accepts(current, new):
        return False
    now = utcnow()
    payment.status, payment.updated_at = new, now
    if new is S.failed:
        payment.failure_code = state.failure_code
        payment.failure_message = state.failure_message
    log(
        session,
        payment,
        kind="status",
        source=source,
        from_status=current,
        event_id=event_id,
        actor_user_id=actor_user_id,
        note=state.failure_message if new is S.failed else None,
    )
    if new is S.succeeded:
        payment.succeeded_at = now
        await _on_taken(session, payment, source=source)
    return True


async def _fee_known(session: AsyncSession, payment: Payment, state: ProviderState) -> None:
    """The provider's fee on a taken payment, told to the books once (a later report of the
    same payment changes nothing: what was booked stays)."""
    if state.fee_cents is None or payment.fee_cents is not None:
        return
    if S(payment.status) not in TAKEN:
        return  # a capture still pending: its completion reports the fee again
    payment.fee_cents = state.fee_cents
    log(session, payment, kind="provider_fee", source="provider", note=f"{state.fee_cents} cents")
    await outbox.enqueue(
        session,
        TOPIC_PROVIDER_FEE,
        {
            "payment_id": payment.id,
            "method": payment.method,
            "provider": payment.provider,
            "fee_cents": state.fee_cents,
            "currency": payment.currency,
            "known_at": utcnow().isoformat(),
        },
    )


async def _on_taken(session: AsyncSession, payment: Payment, *, source: str) -> None:
    """Money arrived: the tip is shared, the subject's owner is told in this transaction
    (it may ask for the money back), and other domains hear of it through the outbox."""
    subject = (payment.subject_kind, payment.subject_id)
    payable = payables.get(payment.subject_kind)
    due = await payable.due(session, payment.subject_id)
    if payment.tip_cents:
        _share_tip(session, payment, due.practitioner_shares)
    settled = await _settles(session, payment, subject, due)
    await _tell_owner(session, payable, payment, settled=settled, source=source)
    await outbox.enqueue(
        session,
        TOPIC_TAKEN,
        {
            "payment_id": payment.id,
            "subject_kind": payment.subject_kind,
            "subject_id": payment.subject_id,
            "amount_cents": payment.amount_cents,
            "method": payment.method,
            "purpose": payment.purpose,
            "settled": settled,
            "tip_cents": payment.tip_cents,
            "gift_card_id": payment.gift_card_id,
            "taken_at": (payment.succeeded_at or utcnow()).isoformat(),
            "deposit_terms": due.deposit_terms,
        },
    )


async def _settles(session: AsyncSession, payment: Payment, subject: Subject, due: Due) -> bool:
    if payment.purpose not in repository.FOR_THE_SUBJECT:
        return False
    await session.flush()  # the balance is read from the table: this payment's new status too
    return (await balance_of(session, subject, due)).due_cents == 0


async def _tell_owner(
    session: AsyncSession, payable: Payable, payment: Payment, *, settled: bool, source: str
) -> None:
    if payment.purpose == PaymentPurpose.deposit and await _another_deposit_taken(session, payment):
        await request_auto_refund(
            session, payment, reason="deposit_paid_twice", source=source, amount_cents=None
        )
        return
    verdict = await payable.taken(
        session,
        payment.subject_id,
        Taken(
            payment_id=payment.id,
            amount_cents=payment.amount_cents - payment.tip_cents,
            purpose=payment.purpose,
            method=payment.method,
            settled=settled,
            staff_user_id=payment.taken_by_user_id,
        ),
    )
    if verdict.event:
        log(session, payment, kind=verdict.event, source=source)
    if verdict.refund_reason:
        await request_auto_refund(
            session, payment, reason=verdict.refund_reason, source=source, amount_cents=None
        )


async def _another_deposit_taken(session: AsyncSession, payment: Payment) -> bool:
    """A client who paid in two tabs (Stripe and PayPal) paid twice: keep the first."""
    others = await repository.payments_of(
        session,
        (payment.subject_kind, payment.subject_id),
        purposes=[PaymentPurpose.deposit],
        statuses=TAKEN,
        exclude=payment.id,
    )
    return bool(others)


def _share_tip(session: AsyncSession, payment: Payment, practitioners: dict[UUID, int]) -> None:
    """The tip goes to whoever served the client, in proportion to their services."""
    shares = sorted(practitioners.items())
    if not shares:
        return
    weights = [max(price, 1) for _, price in shares]
    now = utcnow()
    for (practitioner_id, _), amount in zip(shares, split(payment.tip_cents, weights), strict=True):
        if amount:
            session.add(
                Tip(
                    id=new_id(),
                    payment_id=payment.id,
                    practitioner_id=practitioner_id,
                    amount_cents=amount,
                    created_at=now,
                )
            )


async def request_auto_refund(
    session: AsyncSession,
    payment: Payment,
    *,
    reason: str,
    source: str,
    amount_cents: int | None,
) -> None:
    """Give money back by the rules, through the outbox: the provider call is retried until
    it works, with a key that makes a retry a no-op at the provider."""
    log(session, payment, kind="auto_refund_requested", source=source, note=reason)
    logger.info(
        "automatic refund requested", extra={"payment_id": str(payment.id), "reason": reason}
    )
    await outbox.enqueue(
        session,
        TOPIC_AUTO_REFUND,
        {"payment_id": payment.id, "reason": reason, "amount_cents": amount_cents},
    )


async def record_refund(
    session: AsyncSession, payment: Payment, refund: Refund, *, source: str
) -> None:
    """A refund went through: count it on its payment, and tell the books (the outbox, in
    this transaction)."""
    now = utcnow()
    refund.status, refund.completed_at = RefundStatus.succeeded, refund.completed_at or now
    previous = payment.status
    payment.refunded_cents += refund.amount_cents
    payment.status = (
        S.refunded if payment.refunded_cents >= payment.amount_cents else S.partially_refunded
    )
    payment.updated_at = now
    log(
        session,
        payment,
        kind="refunded",
        source=source,
        from_status=previous,
        actor_user_id=refund.requested_by_user_id,
        note=f"{refund.amount_cents} cents: {refund.reason}",
    )
    await outbox.enqueue(
        session,
        TOPIC_REFUNDED,
        {
            "payment_id": payment.id,
            "refund_id": refund.id,
            "amount_cents": refund.amount_cents,
            "method": payment.method,
            "provider": payment.provider,
            "purpose": payment.purpose,
            "subject_kind": payment.subject_kind,
            "subject_id": payment.subject_id,
            "refunded_at": (refund.completed_at or now).isoformat(),
            "gift_card_id": payment.gift_card_id,
        },
    )


async def refundable_cents(session: AsyncSession, payment: Payment) -> int:
    """What may still go back: the amount less refunds done or under way."""
    if S(payment.status) not in TAKEN:
        return 0
    pending = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.payment_id == payment.id, Refund.status == RefundStatus.pending
        )
    )
    return payment.amount_cents - payment.refunded_cents - int(pending or 0)
