"""A gift card being bought, as something paid for (`app/core/payables.py`, kind
"gift_card"): its value is due, in one payment or several (a split: part by another card,
part in cash…); the last one issues the card, its PDF and its e-mails. Refunding what
bought it follows app/giftcards/refunds.py: only what is unspent, which leaves the card."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import payables
from app.core.payables import Due, Stage, Taken, Verdict
from app.giftcards import delivery, refunds, service
from app.giftcards.models import CardStatus

_OWED = {CardStatus.pending_payment, CardStatus.active}


@payables.payable("gift_card")
class GiftCardPayable(payables.Payable):
    """A card is paid for while it is pending; nobody served it, so it takes no tip."""

    async def due(self, session: AsyncSession, subject_id: UUID, *, lock: bool = False) -> Due:
        card = await service.get_card(session, subject_id, lock=lock)
        pending = card.status == CardStatus.pending_payment
        return Due(
            client_id=card.buyer_client_id,
            total_cents=card.initial_cents,
            stage=Stage.open if pending else Stage.closed,
            status=card.status,
            description="Carte cadeau",
            owes=card.status in _OWED,
        )

    async def taken(self, session: AsyncSession, subject_id: UUID, taken: Taken) -> Verdict:
        """The last tender issues the card; money for a card already paid, or no longer
        sold (cancelled before it was paid), goes back."""
        card = await service.get_card(session, subject_id, lock=True)
        if card.status != CardStatus.pending_payment:
            return Verdict.refund(f"gift_card_{card.status}", event=f"gift_card_{card.status}")
        if not taken.settled:
            return Verdict.keep()
        if await service.activate(
            session, card, payment_id=taken.payment_id, actor_user_id=taken.staff_user_id
        ):
            await delivery.store_pdf(session, card)
            await delivery.queue_email(session, card, resend=False)
            return Verdict.keep(event="gift_card_issued")
        return Verdict.keep()

    async def refundable(
        self, session: AsyncSession, subject_id: UUID, asked_cents: int | None
    ) -> int | None:
        return await refunds.refundable(session, subject_id, asked_cents)

    async def refunded(
        self,
        session: AsyncSession,
        subject_id: UUID,
        *,
        payment_id: UUID,
        refund_id: UUID,
        amount_cents: int,
    ) -> None:
        await refunds.purchase_refunded(session, subject_id, payment_id, refund_id, amount_cents)
