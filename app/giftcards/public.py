"""What other domains may use from gift cards: spending a card on a booking (the till's
`redeem`, answering a `Redemption`), a client's cards for her GDPR export, and their
anonymisation on erasure (amounts and ledgers stay: they are accounting records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.giftcards.errors import InsufficientBalance
from app.giftcards.flows import Redemption, redeem
from app.giftcards.models import GiftCard
from app.giftcards.repository import received_by
from app.giftcards.service import balances
from app.giftcards.topics import TOPIC_EXPIRED, CardExpired

ERASED = "Client effacé"

__all__ = [
    "TOPIC_EXPIRED",
    "CardExpired",
    "GiftCardSale",
    "InsufficientBalance",
    "Redemption",
    "anonymize_client_gift_cards",
    "export_client_gift_cards",
    "redeem",
    "sale_for_invoice",
    "vat_treatments",
]


async def vat_treatments(session: AsyncSession, card_ids: set[UUID]) -> dict[UUID, str]:
    """Each card's VAT treatment (single_purpose or multi_purpose), for the books."""
    if not card_ids:
        return {}
    rows = await session.execute(
        select(GiftCard.id, GiftCard.vat_treatment).where(GiftCard.id.in_(card_ids))
    )
    return {card_id: treatment for card_id, treatment in rows}


def _hers(client_id: UUID, email: str | None) -> Any:
    conditions = [GiftCard.buyer_client_id == client_id]
    if email:
        conditions += [func.lower(GiftCard.buyer_email) == email.lower(), received_by(email)]
    return or_(*conditions)


async def export_client_gift_cards(
    session: AsyncSession, client_id: UUID, email: str | None
) -> list[dict[str, Any]]:
    """Her cards for a GDPR export: those she bought, and those sent to her e-mail that
    reached it."""
    cards = list(await session.scalars(select(GiftCard).where(_hers(client_id, email))))
    left = await balances(session, [c.id for c in cards])
    return [
        {
            "id": c.id,
            "status": c.status,
            "initial_cents": c.initial_cents,
            "balance_cents": left[c.id],
            "buyer_name": c.buyer_name,
            "recipient_name": c.recipient_name,
            "message": c.message,
            "expires_at": c.expires_at,
        }
        for c in cards
    ]


async def anonymize_client_gift_cards(
    session: AsyncSession, client_id: UUID, email: str | None
) -> None:
    """Her name, e-mail and message leave the cards she bought or received; a card she holds
    stays usable by its code."""
    await session.execute(
        update(GiftCard)
        .where(GiftCard.buyer_client_id == client_id)
        .values(buyer_name=ERASED, buyer_email=None, message=None)
    )
    if email:
        await session.execute(
            update(GiftCard)
            .where(func.lower(GiftCard.buyer_email) == email.lower())
            .values(buyer_name=ERASED, buyer_email=None, message=None)
        )
        await session.execute(
            update(GiftCard)
            .where(func.lower(GiftCard.recipient_email) == email.lower())
            .values(recipient_name=ERASED, recipient_email=None, message=None)
        )


@dataclass(frozen=True, slots=True)
class GiftCardSale:
    """A gift card sold and paid, as its invoice needs it."""

    card_id: UUID
    code_hint: str
    amount_cents: int  # what the buyer paid, VAT included when single-purpose
    vat_treatment: str  # single_purpose (VAT due at sale) or multi_purpose (when spent)
    buyer_client_id: UUID | None
    buyer_name: str
    sold_at: datetime


async def sale_for_invoice(session: AsyncSession, card_id: UUID) -> GiftCardSale | None:
    """The sale of a card that was paid (active, spent or expired since); None for an
    unknown card, one awaiting its payment, or one cancelled before it was paid."""
    card = await session.get(GiftCard, card_id)
    if card is None or card.activated_at is None:
        return None
    return GiftCardSale(
        card.id,
        card.code_hint,
        card.initial_cents,
        card.vat_treatment,
        card.buyer_client_id,
        card.buyer_name,
        card.activated_at,
    )
