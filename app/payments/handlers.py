"""What payments does when an event arrives: an automatic refund the rules asked for, and
the money of a cancelled booking by the cancellation policy (docs/deposits.md)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import public as bookings
from app.core import outbox, payables
from app.core.clock import utcnow
from app.payments import ledger, outcomes, repository
from app.payments.models import STAFF_RECORDED_METHODS, Payment, PaymentPurpose
from app.payments.refunds import refund_payment
from app.payments.topics import (
    TOPIC_AUTO_REFUND,
    TOPIC_DEPOSIT_KEPT,
    AutoRefundRequested,
    DepositKept,
)


@outbox.handles(TOPIC_AUTO_REFUND, name="payments.run_auto_refund")
async def run_auto_refund(session: AsyncSession, payload: AutoRefundRequested) -> None:
    payment = await ledger.get_payment(session, payload.payment_id, lock=True)
    if await ledger.refundable_cents(session, payment) <= 0:
        return
    if payment.method in STAFF_RECORDED_METHODS:
        ledger.log(session, payment, kind="refund_due_in_person", source="auto")
        return
    await refund_payment(
        session,
        payment,
        amount_cents=payload.amount_cents,
        reason=payload.reason,
        requested_by_user_id=None,
        automatic=True,
        key=f"auto-{payment.id}-{payload.reason}",
    )


@outbox.handles(bookings.TOPIC_CANCELLED, name="payments.refund_on_booking_cancelled")
async def on_booking_cancelled(session: AsyncSession, payload: bookings.BookingCancelled) -> None:
    """The deposit follows the cancellation policy (docs/deposits.md): kept when the client
    cancels late, refunded when she cancels in time or the salon cancels. Anything else paid
    in advance for the booking goes back."""
    subject = ("booking", payload.booking_id)
    due = await payables.get("booking").due(session, payload.booking_id)
    kept_by_policy = outcomes.deposit_kept_on_cancel(by_client=payload.by_client, late=payload.late)
    for payment in await repository.taken_for_refund(session, subject):
        if await ledger.refundable_cents(session, payment) <= 0:
            continue
        if payment.purpose == PaymentPurpose.deposit and kept_by_policy:
            await _keep_deposit(session, payment, terms=due.deposit_terms or "arrhes")
            continue
        salon = not payload.by_client
        if payment.purpose == PaymentPurpose.deposit and salon and due.deposit_terms == "arrhes":
            # Code de la consommation L214-1: the salon that withdraws owes the arrhes twice.
            ledger.log(
                session,
                payment,
                kind="arrhes_compensation_due",
                source="auto",
                note=f"{payment.amount_cents - payment.refunded_cents} cents owed on top",
            )
        await ledger.request_auto_refund(
            session,
            payment,
            reason=outcomes.CANCELLED_BY_SALON if salon else outcomes.CANCELLED_IN_TIME,
            source="auto",
            amount_cents=None,
        )


async def _keep_deposit(session: AsyncSession, payment: Payment, *, terms: str) -> None:
    """The deposit stays with the salon: its log, and the books through the outbox."""
    note = f"late cancellation ({terms})"
    ledger.log(session, payment, kind="deposit_kept", source="auto", note=note)
    kept = DepositKept(
        payment_id=payment.id,
        booking_id=payment.subject_id,
        amount_cents=await ledger.refundable_cents(session, payment),
        method=payment.method,
        terms=terms,
        kept_at=utcnow().isoformat(),
    )
    await outbox.enqueue(session, TOPIC_DEPOSIT_KEPT, kept)
