"""Builders for stock tests: products inserted directly, stock moved through the API as the
front desk and managers do (each call committed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog.models import Product
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.stock.models import StockItem, StockMovement


async def make_product(
    name: str = "Shampoing doux", *, brand: str | None = "Maison Lila", price_cents: int = 1800
) -> UUID:
    now = utcnow()
    product = Product(
        id=new_id(),
        name=name,
        brand=brand,
        sku=f"SKU-{new_id().hex[-8:]}",
        price_cents=price_cents,
        vat_rate=Decimal("20.00"),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(product)
    return product.id


async def set_up(
    client: AsyncClient, manager: dict[str, str], product_id: UUID, **fields: Any
) -> dict[str, Any]:
    answer = await client.put(f"/api/v1/stock/items/{product_id}", json=fields, headers=manager)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def make_supplier(
    client: AsyncClient, manager: dict[str, str], name: str = "Cosmétiques du Rhône"
) -> str:
    made = await client.post("/api/v1/stock/suppliers", json={"name": name}, headers=manager)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def order(
    client: AsyncClient,
    manager: dict[str, str],
    lines: list[tuple[UUID, int, int]],
    supplier_id: str | None = None,
) -> dict[str, Any]:
    """A purchase order of (product, packs, cost of one pack)."""
    supplier_id = supplier_id or await make_supplier(client, manager, f"Fournisseur {new_id()}")
    made = await client.post(
        "/api/v1/stock/purchase-orders",
        json={
            "supplier_id": supplier_id,
            "lines": [
                {"product_id": str(p), "quantity": q, "unit_cost_cents": c} for p, q, c in lines
            ],
        },
        headers=manager,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def receive(
    client: AsyncClient, manager: dict[str, str], order_id: str, lines: list[tuple[UUID, int]]
) -> Any:
    return await client.post(
        f"/api/v1/stock/purchase-orders/{order_id}/receipts",
        json={"lines": [{"product_id": str(p), "quantity": q} for p, q in lines]},
        headers=manager,
    )


async def deliver(
    client: AsyncClient, manager: dict[str, str], product_id: UUID, packs: int, cost: int
) -> None:
    """Packs ordered and received in full at `cost` each."""
    made = await order(client, manager, [(product_id, packs, cost)])
    received = await receive(client, manager, made["id"], [(product_id, packs)])
    assert received.status_code == 200, received.text


async def desk(
    client: AsyncClient,
    headers: dict[str, str],
    cause: str,
    product_id: UUID,
    quantity: int,
    **more: Any,
) -> Any:
    return await client.post(
        "/api/v1/stock/movements",
        json={"cause": cause, "product_id": str(product_id), "quantity": quantity} | more,
        headers=headers,
    )


async def item(session: AsyncSession, product_id: UUID) -> StockItem:
    found = await session.scalar(
        select(StockItem)
        .where(StockItem.product_id == product_id)
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


async def ledger_totals(session: AsyncSession, product_id: UUID) -> tuple[int, int]:
    """What the movements add up to: (quantity, value)."""
    quantity, value = (
        await session.execute(
            select(
                func.coalesce(func.sum(StockMovement.quantity), 0),
                func.coalesce(func.sum(StockMovement.value_cents), 0),
            ).where(StockMovement.product_id == product_id)
        )
    ).one()
    return int(quantity), int(value)
