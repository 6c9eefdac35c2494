"""The loyalty tests' shared steps: a client, a ticket sold to her at the till (through the
API), the worker's outbox pass, her loyalty as staff see it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import select

from app.core.db import unit_of_work
from app.loyalty import ledger
from tests.factories.core import run_outbox
from tests.invoicing.helpers import new_client
from tests.sales.orders_helpers import complete, new_order, open_till, stocked, tender

CREAM = ("Crème hydratante", 3000)  # 30 €
SERUM = ("Sérum éclat", 4550)  # 45,50 €

__all__ = ["new_client", "run_outbox"]


async def sold(
    client: AsyncClient,
    headers: dict[str, str],
    client_id: str | None,
    *,
    lines: list[tuple[tuple[str, int], int]] | None = None,
    till: str | None = None,
    tenders: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An order for 2 creams and a serum (105,50 €) paid in cash; (order, ticket)."""
    register = till or await open_till(client, headers)
    ordered = []
    for (name, price), quantity in lines or [(CREAM, 2), (SERUM, 1)]:
        product = await stocked(client, headers, name, price, 10)
        ordered.append({"kind": "product", "product_id": str(product), "quantity": quantity})
    order = await new_order(
        client, headers, register_id=register, lines=ordered, client_id=client_id
    )
    for body in tenders or [{"method": "cash"}]:
        await tender(client, headers, order["id"], **body)
    ticket = await complete(client, headers, order["id"])
    return order, ticket


async def loyalty_of(client: AsyncClient, headers: dict[str, str], client_id: str) -> Any:
    got = await client.get(f"/api/v1/clients/{client_id}/loyalty", headers=headers)
    assert got.status_code == 200, got.text
    return got.json()


async def entries_of(client: AsyncClient, headers: dict[str, str], client_id: str) -> list[Any]:
    got = await client.get(
        f"/api/v1/clients/{client_id}/loyalty/entries", params={"limit": 100}, headers=headers
    )
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


async def grants_left(client_id: str) -> list[tuple[int, int]]:
    """Her open grants as (points, remaining), soonest expiry first."""
    async with unit_of_work() as session:
        grants = await ledger.open_grants(session, UUID(client_id))
    return [(g.points, g.remaining) for g in grants]


async def client_of_account(email: str) -> str:
    from app.auth.models import User
    from app.clients.models import Client

    async with unit_of_work() as session:
        found = await session.scalar(
            select(Client.id).join(User, User.id == Client.user_id).where(User.email == email)
        )
    assert found is not None
    return str(found)
