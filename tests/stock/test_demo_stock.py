"""The demo salon (`make run`) has products in stock, a supplier, an order still partly
expected and the massage oil each massage uses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog.models import Product, Service
from app.seed import load_demo_salon
from app.stock.models import PurchaseOrder, RecipeLine, StockItem, Supplier


async def test_the_demo_salon_has_stock_a_supplier_and_a_recipe(session: AsyncSession) -> None:
    await load_demo_salon()
    again = await load_demo_salon()

    assert again[0] == "demo salon: 0 rows created"
    stocked = {
        sku: (item.unit, item.on_hand, item.value_cents)
        for sku, item in await session.execute(
            select(Product.sku, StockItem).join(StockItem, StockItem.product_id == Product.id)
        )
    }
    assert stocked == {
        "SER-CRH-50": ("piece", 12, 16800),
        "SER-SER-30": ("piece", 8, 16000),
        "SER-BAU-10": ("piece", 10, 3500),
        "SER-HUI-100": ("ml", 1000, 9000),
    }
    assert [s.name for s in await session.scalars(select(Supplier))] == ["Laboratoires Sérénaia"]
    assert [o.status for o in await session.scalars(select(PurchaseOrder))] == [
        "partially_received"
    ]
    massage = await session.scalar(
        select(Service.id).where(Service.name == "Massage relaxant 60 min")
    )
    recipe = await session.scalar(select(RecipeLine).where(RecipeLine.service_id == massage))
    assert recipe is not None
    assert recipe.quantity == 20
