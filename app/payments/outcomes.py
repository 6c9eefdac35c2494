"""What really happened to a booking's money, for the messages that tell the client: what she
paid, and on a cancellation what goes back and what the salon keeps. The same rule decides
the refunds (`handlers.on_booking_cancelled`) and the words, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.payments.balances import balance
from app.payments.models import TAKEN, Payment, PaymentMethod, PaymentPurpose, Refund, RefundStatus

# The reasons of the automatic refunds a cancellation causes (`handlers.on_booking_cancelled`).
CANCELLED_BY_SALON, CANCELLED_IN_TIME = "cancelled_by_salon", "cancelled_in_time"


def deposit_kept_on_cancel(*, by_client: bool, late: bool) -> bool:
    """The deposit stays with the salon when the client cancels inside the notice period
    (docs/deposits.md); in every other cancellation it goes back."""
    return by_client and late


@dataclass(frozen=True, slots=True)
class PaidSoFar:
    paid_cents: int  # taken for the services, less refunds (tips excluded)
    due_cents: int  # what is left to pay at the salon


async def paid_so_far(session: AsyncSession, booking_id: UUID) -> PaidSoFar:
    found = await balance(session, "booking", booking_id)
    return PaidSoFar(paid_cents=found.paid_cents, due_cents=found.due_cents)


@dataclass(frozen=True, slots=True)
class CancellationMoney:
    refunded_cents: int  # goes back to the client (by her means of payment or onto her card)
    to_gift_card_cents: int  # of which back onto the gift card that paid
    kept_cents: int  # the deposit the salon keeps


async def cancellation_money(
    session: AsyncSession, booking_id: UUID, *, by_client: bool, late: bool
) -> CancellationMoney:
    """What the cancellation gives back and keeps, from the payments taken for the booking:
    their amounts less what other refunds gave back (the refunds the cancellation causes run
    later, before or after this message is written, so they are left out by their reason)."""
    refunded_before = (
        select(func.coalesce(func.sum(Refund.amount_cents), 0))
        .where(
            Refund.payment_id == Payment.id,
            Refund.status != RefundStatus.failed,
            ~(Refund.automatic & Refund.reason.in_([CANCELLED_BY_SALON, CANCELLED_IN_TIME])),
        )
        .correlate(Payment)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Payment.purpose, Payment.method, Payment.amount_cents - refunded_before).where(
            Payment.subject_kind == "booking",
            Payment.subject_id == booking_id,
            Payment.status.in_(TAKEN),
            Payment.purpose != PaymentPurpose.no_show_fee,
        )
    )
    kept_by_policy = deposit_kept_on_cancel(by_client=by_client, late=late)
    refunded = to_card = kept = 0
    for purpose, method, net in rows:
        if net <= 0:
            continue
        if purpose == PaymentPurpose.deposit and kept_by_policy:
            kept += net
            continue
        refunded += net
        if method == PaymentMethod.gift_card:
            to_card += net
    return CancellationMoney(refunded_cents=refunded, to_gift_card_cents=to_card, kept_cents=kept)
