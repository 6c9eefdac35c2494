"""Gift cards: a card sold at the desk."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient


async def sell_gift_card(
    client: AsyncClient, headers: dict[str, str], amount_cents: int, **card: Any
) -> Any:
    """A card sold at the desk for cash: active at once, its code in the answer (the response,
    checked 201). `card` overrides the buyer, recipient or method."""
    sold = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={
            "amount_cents": amount_cents,
            "buyer": {"name": "Inès"},
            "recipient_name": "Léa",
            "method": "cash",
        }
        | card,
        headers=headers,
    )
    assert sold.status_code == 201, sold.text
    return sold
