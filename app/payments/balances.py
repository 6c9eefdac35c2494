"""One balance for anything paid for: what it costs (its owner says, through its payable),
what paid for it, what went back, and what is left to take."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import payables
from app.core.payables import Due, Subject
from app.payments import repository
from app.payments.models import OPEN, TAKEN, PaymentStatus


@dataclass(frozen=True, slots=True)
class Balance:
    total_cents: int
    deposit_cents: int
    paid_cents: int  # taken for the subject (tips excluded), less the payments undone
    in_progress_cents: int  # on a card reader right now
    due_cents: int
    tips_cents: int
    refunded_cents: int = 0  # given back (a gesture, a dashboard refund): not owed again
    kept_cents: int = 0  # paid less refunded: what the salon keeps for the subject


@dataclass(frozen=True, slots=True)
class KeptPayment:
    """A payment that still pays for its subject: what of it the salon keeps (tip and
    refunds excluded), by which method (a gift card's: which card)."""

    payment_id: UUID
    method: str
    kept_cents: int
    gift_card_id: UUID | None


async def kept_payments(session: AsyncSession, kind: str, subject_id: UUID) -> list[KeptPayment]:
    """The subject's taken payments that still keep something, oldest first (what the till
    counts as already paid when it checks a booking out)."""
    rows = await repository.payments_of(
        session,
        (kind, subject_id),
        purposes=repository.FOR_THE_SUBJECT,
        statuses=TAKEN,
    )
    kept = [
        KeptPayment(p.id, p.method, p.amount_cents - p.tip_cents - p.refunded_cents, p.gift_card_id)
        for p in rows
    ]
    return [k for k in kept if k.kept_cents > 0]


async def balance(session: AsyncSession, kind: str, subject_id: UUID) -> Balance:
    """The balance of (kind, id); an unknown kind is refused (`unknown_subject_kind`)."""
    due = await payables.get(kind).due(session, subject_id)
    return await balance_of(session, (kind, subject_id), due)


async def balance_of(session: AsyncSession, subject: Subject, due: Due) -> Balance:
    """Automatic refunds undo a payment the rules say must not stand (a deposit paid twice, a
    slot lost, a cancellation): that money no longer pays for anything. Any other refund
    lowers what the salon kept, never raises what is owed."""
    undone = await repository.undone_cents(session, subject)
    paid = in_progress = tips = refunded = 0
    for payment_id, status, amount, tip, refunded_here in await repository.balance_rows(
        session, subject
    ):
        if status in TAKEN:
            reversed_cents = undone.get(payment_id, 0)
            paid += max(amount - tip - reversed_cents, 0)
            refunded += max(refunded_here - reversed_cents, 0)
            tips += tip
        elif status in OPEN and status != PaymentStatus.requires_action:
            in_progress += amount - tip
    return Balance(
        total_cents=due.total_cents,
        deposit_cents=due.deposit_cents,
        paid_cents=paid,
        in_progress_cents=in_progress,
        # Owed by no one (a cancelled visit): what went back does not come due again.
        due_cents=max(due.total_cents - paid - in_progress, 0) if due.owes else 0,
        tips_cents=tips,
        refunded_cents=refunded,
        kept_cents=max(paid - refunded, 0),
    )
