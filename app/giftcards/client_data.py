"""The gift cards domain's client data: the cards a client bought (and, by e-mail, those she
received). Amounts and ledgers are accounting records and stay."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clients import public as clients
from app.giftcards.models import GiftCard
from app.giftcards.public import anonymize_client_gift_cards, export_client_gift_cards


async def export(session: AsyncSession, client: clients.ClientIdentity) -> dict[str, Any]:
    return {"gift_cards": await export_client_gift_cards(session, client.id, client.email)}


async def erase(session: AsyncSession, client: clients.ClientIdentity) -> None:
    await anonymize_client_gift_cards(session, client.id, client.email)


clients.declare_client_data(
    "gift_cards",
    references={"gift_cards.buyer_client_id"},
    export=export,
    erase=erase,
    merge=clients.reassign(GiftCard.buyer_client_id),
)
