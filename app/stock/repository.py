"""The queries on stock tables: items (locked in product order, so two checkouts of the same
products never deadlock), movements, recipes, counts, suppliers and purchase orders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Row, Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.stock.models import (
    Cause,
    ConsumedBooking,
    CountStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    RecipeLine,
    StockCount,
    StockCountLine,
    StockItem,
    StockMovement,
    Supplier,
)


async def add_missing_items(
    session: AsyncSession, product_ids: Iterable[UUID], now: datetime
) -> None:
    """A stock row (empty, counted in pieces) for each product that has none yet."""
    rows = [{"product_id": p, "created_at": now, "updated_at": now} for p in set(product_ids)]
    if rows:
        await session.execute(insert(StockItem).values(rows).on_conflict_do_nothing())


async def lock_items(session: AsyncSession, product_ids: Iterable[UUID]) -> dict[UUID, StockItem]:
    """The stock rows of these products, locked (`FOR UPDATE`) in product id order, their
    values read again from the database."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return {}
    rows = await session.scalars(
        select(StockItem)
        .where(StockItem.product_id.in_(wanted))
        .order_by(StockItem.product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {item.product_id: item for item in rows}


async def items_by_id(session: AsyncSession, product_ids: Iterable[UUID]) -> dict[UUID, StockItem]:
    wanted = list(set(product_ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(StockItem).where(StockItem.product_id.in_(wanted)))
    return {item.product_id: item for item in rows}


async def get_item(session: AsyncSession, product_id: UUID) -> StockItem | None:
    return await session.get(StockItem, product_id)


def items(*, low: bool | None) -> Select[StockItem]:
    statement = select(StockItem)
    if low is not None:
        is_low = StockItem.low_threshold.is_not(None) & (
            StockItem.on_hand <= StockItem.low_threshold
        )
        statement = statement.where(is_low if low else ~is_low)
    return statement


async def all_item_ids(session: AsyncSession) -> list[UUID]:
    return list(await session.scalars(select(StockItem.product_id).order_by(StockItem.product_id)))


async def has_movements(session: AsyncSession, product_id: UUID) -> bool:
    found = await session.scalar(
        select(StockMovement.id).where(StockMovement.product_id == product_id).limit(1)
    )
    return found is not None


async def last_delivery(session: AsyncSession, product_id: UUID) -> StockMovement | None:
    return await session.scalar(
        select(StockMovement)
        .where(StockMovement.product_id == product_id, StockMovement.cause == Cause.delivery)
        .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        .limit(1)
    )


def movements(
    *,
    product_id: UUID | None,
    cause: str | None,
    reference_kind: str | None = None,
    reference_id: UUID | None = None,
) -> Select[StockMovement]:
    statement = select(StockMovement)
    if product_id is not None:
        statement = statement.where(StockMovement.product_id == product_id)
    if cause is not None:
        statement = statement.where(StockMovement.cause == cause)
    if reference_kind is not None:
        statement = statement.where(StockMovement.reference_kind == reference_kind)
    if reference_id is not None:
        statement = statement.where(StockMovement.reference_id == reference_id)
    return statement


async def movements_of(
    session: AsyncSession, *, reference_kind: str, reference_id: UUID
) -> list[StockMovement]:
    statement = movements(
        product_id=None, cause=None, reference_kind=reference_kind, reference_id=reference_id
    )
    return list(await session.scalars(statement.order_by(StockMovement.at, StockMovement.id)))


async def stock_totals(session: AsyncSession) -> tuple[int, int]:
    """How many products are stocked, and the value of the whole stock."""
    count, value = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(StockItem.value_cents), 0))
        )
    ).one()
    return int(count), int(value)


async def movement_totals(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[Row[UUID, str, str, int, int, int]]:
    """(product, its stock unit, cause, movements, quantity, value change) of the movements
    made in [start, end), per product and cause (ix_stock_movements_at)."""
    rows = await session.execute(
        select(
            StockMovement.product_id,
            StockItem.unit,
            StockMovement.cause,
            func.count(),
            func.sum(StockMovement.quantity),
            func.sum(StockMovement.value_cents),
        )
        .join(StockItem, StockItem.product_id == StockMovement.product_id)
        .where(StockMovement.at >= start, StockMovement.at < end)
        .group_by(StockMovement.product_id, StockItem.unit, StockMovement.cause)
    )
    return rows.all()


# Recipes


def recipe_lines(*, service_id: UUID | None) -> Select[RecipeLine]:
    statement = select(RecipeLine)
    if service_id is not None:
        statement = statement.where(RecipeLine.service_id == service_id)
    return statement


async def recipe_of(session: AsyncSession, service_id: UUID) -> list[RecipeLine]:
    statement = recipe_lines(service_id=service_id).order_by(RecipeLine.product_id)
    return list(await session.scalars(statement))


async def recipes_for(session: AsyncSession, service_ids: Sequence[UUID]) -> list[RecipeLine]:
    if not service_ids:
        return []
    return list(
        await session.scalars(select(RecipeLine).where(RecipeLine.service_id.in_(service_ids)))
    )


async def mark_consumed(session: AsyncSession, booking_id: UUID, now: datetime) -> bool:
    """Record that a booking's products were consumed; False when they already were (a
    concurrent first one waits on the key, then finds it)."""
    inserted = await session.scalar(
        insert(ConsumedBooking)
        .values(booking_id=booking_id, consumed_at=now)
        .on_conflict_do_nothing()
        .returning(ConsumedBooking.booking_id)
    )
    return inserted is not None


# Counts


async def get_count(
    session: AsyncSession, count_id: UUID, *, lock: bool = False
) -> StockCount | None:
    statement = select(StockCount).where(StockCount.id == count_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def open_count_exists(session: AsyncSession) -> bool:
    found = await session.scalar(
        select(StockCount.id).where(StockCount.status == CountStatus.open).limit(1)
    )
    return found is not None


def counts(*, status: str | None) -> Select[StockCount]:
    statement = select(StockCount)
    if status is not None:
        statement = statement.where(StockCount.status == status)
    return statement


async def count_lines(session: AsyncSession, count_id: UUID) -> list[StockCountLine]:
    return list(
        await session.scalars(
            select(StockCountLine)
            .where(StockCountLine.count_id == count_id)
            .order_by(StockCountLine.product_id)
            .execution_options(populate_existing=True)
        )
    )


# Suppliers and purchase orders


async def get_supplier(session: AsyncSession, supplier_id: UUID) -> Supplier | None:
    return await session.get(Supplier, supplier_id)


def suppliers(*, active: bool | None) -> Select[Supplier]:
    statement = select(Supplier)
    if active is not None:
        statement = statement.where(Supplier.is_active.is_(active))
    return statement


async def get_order(
    session: AsyncSession, order_id: UUID, *, lock: bool = False
) -> PurchaseOrder | None:
    statement = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


def orders(*, status: str | None, supplier_id: UUID | None) -> Select[PurchaseOrder]:
    statement = select(PurchaseOrder)
    if status is not None:
        statement = statement.where(PurchaseOrder.status == status)
    if supplier_id is not None:
        statement = statement.where(PurchaseOrder.supplier_id == supplier_id)
    return statement


async def order_lines(session: AsyncSession, order_id: UUID) -> list[PurchaseOrderLine]:
    return list(
        await session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.order_id == order_id)
            .order_by(PurchaseOrderLine.position)
            .execution_options(populate_existing=True)
        )
    )
