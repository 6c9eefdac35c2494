"""What other domains may use from gift cards: spending a card on a booking (the till's
`redeem`, answering a `Redemption`), a client's cards for her GDPR export, and their
anonymisation on erasure (amounts and ledgers stay: they are accounting records)."""

from __future__ import annotations

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
    "InsufficientBalance",
    "Redemption",
    "anonymize_client_gift_cards",
    "export_client_gift_cards",
    "redeem",
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
