"""Refunding the payment that bought a card (docs/giftcards.md): only what is unspent may go
back, and that much leaves the card at once; a card with nothing left is cancelled. A refund
made in the provider's dashboard cannot be refused: the card loses what it still held."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.giftcards import errors, service
from app.giftcards.models import CardStatus, EntryKind


async def refundable(session: AsyncSession, card_id: UUID, asked_cents: int | None) -> int | None:
    """All that is unspent by default; more than that is refused. A card not issued yet (a
    split tender still under way) holds nothing: what paid for it may go back."""
    card = await service.get_card(session, card_id, lock=True)
    if card.status == CardStatus.pending_payment:
        return asked_cents
    unspent = await service.balance(session, card.id) if card.status == CardStatus.active else 0
    if unspent <= 0 or (asked_cents is not None and asked_cents > unspent):
        raise errors.GiftCardPartlySpent(
            f"{unspent} cents of this card are unspent: only that can be refunded.",
            extra={"unspent_cents": unspent},
        )
    return unspent if asked_cents is None else asked_cents


async def purchase_refunded(
    session: AsyncSession, card_id: UUID, payment_id: UUID, refund_id: UUID, amount_cents: int
) -> None:
    card = await service.get_card(session, card_id, lock=True)
    if card.status == CardStatus.pending_payment:
        card.status = CardStatus.cancelled  # refunded before it was issued: it never will be
        return
    unspent = await service.balance(session, card.id)
    taken = min(amount_cents, max(unspent, 0))
    if taken > 0:
        service.add_entry(
            session,
            card,
            EntryKind.cancel,
            -taken,
            reason=f"purchase refunded (refund {refund_id})",
            payment_id=payment_id,
        )
    if card.status == CardStatus.active and unspent - taken <= 0:
        card.status = CardStatus.cancelled
    await session.flush()
