"""What gift cards do when payments report: a card paid by an event queued before cards
were issued by their payable, and a visit paid by card and refunded (back onto the card)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox
from app.giftcards import service
from app.giftcards.delivery import queue_email, store_pdf
from app.giftcards.models import CardStatus, EntryKind, GiftCardEntry
from app.payments import public as payments


@outbox.handles(payments.TOPIC_TAKEN, name="giftcards.activate_on_payment_taken")
async def on_payment_taken(session: AsyncSession, payload: payments.PaymentTaken) -> None:
    """Kept under its name for rows queued before cards were issued by their payable (in
    the payment's own transaction, app/giftcards/payable.py): harmless now, it issues only
    a card still pending whose balance says nothing is due."""
    if payload.subject_kind != "gift_card":
        return
    card = await service.get_card(session, payload.subject_id, lock=True)
    if card.status != CardStatus.pending_payment:
        return
    if (await payments.balance(session, "gift_card", card.id)).due_cents > 0:
        return  # one tender of a split: the last one issues the card
    if not await service.activate(session, card, payment_id=payload.payment_id, actor_user_id=None):
        return
    await store_pdf(session, card)
    await queue_email(session, card, resend=False)


@outbox.handles(payments.TOPIC_GIFT_CARD_REFUNDED, name="giftcards.credit_refund_to_card")
async def on_gift_card_refund(session: AsyncSession, payload: payments.GiftCardRefunded) -> None:
    """A visit paid by gift card was refunded (cancelled in time…): the money goes back onto
    the card, even past its date (the client did not choose to lose it)."""
    payment = await payments.get_payment(session, payload.payment_id)
    card_id = payload.gift_card_id or payment.gift_card_id  # rows queued before 0024 lack it
    if card_id is None:
        return
    card = await service.get_card(session, card_id, lock=True)
    already = await session.scalar(
        select(GiftCardEntry.id).where(
            GiftCardEntry.gift_card_id == card.id,
            GiftCardEntry.kind == EntryKind.refund,
            GiftCardEntry.reason == f"refund {payload.refund_id}",
        )
    )
    if already is not None:
        return
    service.add_entry(
        session,
        card,
        EntryKind.refund,
        payload.amount_cents,
        reason=f"refund {payload.refund_id}",
        payment_id=payment.id,
        booking_id=payment.booking_id,
    )
