"""Refunding the payment that bought a card (docs/giftcards.md): only what is unspent may go
back, and that much leaves the card at once; a card with nothing left is cancelled. A refund
made in the provider's dashboard cannot be refused: the card loses what it still held.

A card paid in several tenders and cancelled with its refund gives back through each of them
(`share_out`): newest first, cash last."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.giftcards import errors, service
from app.giftcards.models import CardStatus, EntryKind, GiftCard
from app.payments.public import PaymentMethod, Tender


async def refundable(session: AsyncSession, card_id: UUID, asked_cents: int | None) -> int | None:
    """All that is unspent by default; more than that is refused. A card not issued yet (a
    split tender still under way, or cancelled before it was issued) holds nothing: what paid
    for it may go back."""
    card = await service.get_card(session, card_id, lock=True)
    if never_issued(card):
        return asked_cents
    unspent = await service.balance(session, card.id) if card.status == CardStatus.active else 0
    if unspent <= 0 or (asked_cents is not None and asked_cents > unspent):
        raise errors.GiftCardPartlySpent(
            f"{unspent} cents of this card are unspent: only that can be refunded.",
            extra={"unspent_cents": unspent},
        )
    return unspent if asked_cents is None else asked_cents


def never_issued(card: GiftCard) -> bool:
    """Still being paid for, or cancelled before its last tender came: it never held money."""
    return card.status == CardStatus.pending_payment or (
        card.status == CardStatus.cancelled and card.activated_at is None
    )


def refund_order(tenders: Sequence[Tender]) -> list[Tender]:
    """The order in which a card's tenders give money back when not all of it goes back (the
    card was partly spent): the newest tender first, except cash, which goes back last (the
    newest cash first). Money returns to the card or account it came from before any leaves
    the till, so spending part of a card never turns a card payment into cash."""
    newest_first = sorted(tenders, key=lambda t: (t.taken_at, t.payment_id), reverse=True)
    return sorted(newest_first, key=lambda t: t.method == PaymentMethod.cash)


def share_out(tenders: Sequence[Tender], amount_cents: int) -> list[tuple[Tender, int]]:
    """`amount_cents` split over the tenders in `refund_order`, each giving back at most what
    it may still refund: (tender, cents) for those that give something."""
    shares, left = [], amount_cents
    for tender in refund_order(tenders):
        part = min(left, tender.refundable_cents)
        if part <= 0:
            break
        shares.append((tender, part))
        left -= part
    return shares


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
