"""The books' shared steps: reading entries back through the API. A booking whose deposit was
paid online and the card reader's steps are the till's (tests/sales/orders_helpers.py)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.payments.models import Payment
from tests.sales.orders_helpers import booked_and_deposit_paid, pair_reader, reader_pays


async def entries(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    found: list[Any] = []
    cursor = None
    while True:
        page = await client.get(
            "/api/v1/accounting/entries",
            params=params | {"limit": 200} | ({"cursor": cursor} if cursor else {}),
            headers=headers,
        )
        assert page.status_code == 200, page.text
        found += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def postings(entry: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(account number, debit, credit) of each line, in order."""
    return [(x["account_number"], x["debit_cents"], x["credit_cents"]) for x in entry["lines"]]


def balanced(entry: dict[str, Any]) -> bool:
    lines = entry["lines"]
    return len(lines) >= 2 and sum(x["debit_cents"] for x in lines) == sum(
        x["credit_cents"] for x in lines
    )


async def card_payment(session: AsyncSession, card_id: str) -> Payment:
    """The payment that bought a gift card."""
    found = await session.scalar(
        select(Payment).where(Payment.subject_kind == "gift_card", Payment.subject_id == card_id)
    )
    assert found is not None
    return found


__all__ = [
    "balanced",
    "booked_and_deposit_paid",
    "entries",
    "pair_reader",
    "postings",
    "reader_pays",
]
